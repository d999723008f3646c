"""Shipping providers through the kernel's registry (kind "shipping"): live KiriminAja or
the simulator, chosen by `SHIPPING_PROVIDER` / `KIRIMINAJA_API_KEY`."""

from __future__ import annotations

from shipping.providers.base import ShippingProvider
from tokoblitar.providers import get_provider, provider_mode

KIND = "shipping"


def shipping_mode() -> str:
    """`kiriminaja` for the live client, `simulator` for the local one."""
    return "kiriminaja" if provider_mode(KIND) == "live" else "simulator"


def get_shipping_provider() -> ShippingProvider:
    """The configured shipping provider (ImproperlyConfigured when it cannot run)."""
    return get_provider(KIND)
