from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "shipping"
    verbose_name = "Shipping"

    def ready(self) -> None:
        from shipping.services import shipment_book_enqueue
        from tokoblitar.events import subscribe

        # orders announces payment; shipping books the courier (orders never imports shipping).
        subscribe("order.paid", shipment_book_enqueue)
