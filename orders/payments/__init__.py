"""Payment providers through the kernel's registry (kind "payments"): live Midtrans or the
simulator, chosen by `PAYMENT_PROVIDER` / `MIDTRANS_SERVER_KEY`."""

from __future__ import annotations

from orders.payments.base import PaymentProvider
from tokoblitar.providers import get_provider, provider_mode

KIND = "payments"


def payment_mode() -> str:
    """`midtrans` for the live client, `simulator` for the local one."""
    return "midtrans" if provider_mode(KIND) == "live" else "simulator"


def get_payment_provider() -> PaymentProvider:
    """The configured payment provider (ImproperlyConfigured when it cannot run)."""
    return get_provider(KIND)
