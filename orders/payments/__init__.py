"""Payment providers: `get_payment_provider()` picks live Midtrans or the simulator."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from orders.payments.base import PaymentProvider


def payment_mode() -> str:
    """`midtrans` when forced or when a server key is set, else `simulator`."""
    forced = (settings.PAYMENT_PROVIDER or "").strip().lower()
    if forced:
        if forced not in ("midtrans", "simulator"):
            raise ImproperlyConfigured("PAYMENT_PROVIDER must be 'midtrans' or 'simulator'")
        return forced
    return "midtrans" if settings.MIDTRANS_SERVER_KEY else "simulator"


def get_payment_provider() -> PaymentProvider:
    if payment_mode() == "midtrans":
        from orders.payments.midtrans import MidtransPaymentProvider

        if not settings.MIDTRANS_SERVER_KEY:
            raise ImproperlyConfigured("PAYMENT_PROVIDER=midtrans needs MIDTRANS_SERVER_KEY")
        return MidtransPaymentProvider(
            server_key=settings.MIDTRANS_SERVER_KEY,
            client_key=settings.MIDTRANS_CLIENT_KEY,
            is_production=settings.MIDTRANS_IS_PRODUCTION,
            base_url=getattr(settings, "MIDTRANS_API_BASE_URL", "") or None,
            timeout=getattr(settings, "MIDTRANS_TIMEOUT_SECONDS", 10),
        )
    from orders.payments.simulator import SimulatorPaymentProvider

    return SimulatorPaymentProvider()
