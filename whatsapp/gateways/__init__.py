"""WhatsApp gateways through the kernel's registry (kind "whatsapp"): WAHA (`waha`), the Cloud
API (`cloud`) or the offline WAHA simulator (`simulator`), chosen by `WHATSAPP_PROVIDER` and
the keys (see tokoblitar.provider_settings)."""

from __future__ import annotations

from tokoblitar.providers import get_provider
from whatsapp.gateways.base import WhatsAppGateway

KIND = "whatsapp"


def get_whatsapp_gateway() -> WhatsAppGateway:
    """The configured gateway (ImproperlyConfigured when a forced live mode lacks its keys)."""
    return get_provider(KIND)
