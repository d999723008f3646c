"""Shipping providers: `get_shipping_provider()` picks live KiriminAja or the simulator."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from shipping.providers.base import ShippingProvider


def shipping_mode() -> str:
    """`kiriminaja` when forced or when an API key is set, else `simulator`."""
    forced = (settings.SHIPPING_PROVIDER or "").strip().lower()
    if forced:
        if forced not in ("kiriminaja", "simulator"):
            raise ImproperlyConfigured("SHIPPING_PROVIDER must be 'kiriminaja' or 'simulator'")
        return forced
    return "kiriminaja" if settings.KIRIMINAJA_API_KEY else "simulator"


def get_shipping_provider() -> ShippingProvider:
    if shipping_mode() == "kiriminaja":
        from shipping.providers.kiriminaja import KiriminAjaShippingProvider

        if not settings.KIRIMINAJA_API_KEY:
            raise ImproperlyConfigured("SHIPPING_PROVIDER=kiriminaja needs KIRIMINAJA_API_KEY")
        return KiriminAjaShippingProvider(
            api_key=settings.KIRIMINAJA_API_KEY,
            base_url=settings.KIRIMINAJA_BASE_URL,
            is_production=getattr(settings, "KIRIMINAJA_IS_PRODUCTION", False),
            timeout=getattr(settings, "KIRIMINAJA_TIMEOUT_SECONDS", 10),
        )
    from shipping.providers.simulator import SimulatorShippingProvider

    return SimulatorShippingProvider()
