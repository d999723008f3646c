from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    """Placing orders and the order API: above orders (the domain) and shipping (rates,
    shipments), so neither of those needs to know the other."""

    name = "checkout"
    verbose_name = "Checkout"
