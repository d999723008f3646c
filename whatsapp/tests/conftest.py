"""Fixtures: a seller whose store has the WhatsApp inbox switched on, and the offline gateway
delivering its events to our real webhook route in-process (same signature, same handler)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from stores.models import StoreFeatureFlags
from whatsapp.gateways.simulator import SimulatorGateway


def client_transport(url: str, raw: bytes, headers: dict[str, str]) -> int:
    """Deliver one event to our webhook route through Django's test client (no network)."""
    extra = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    return Client().post(urlsplit(url).path, data=raw, content_type="application/json", headers=extra).status_code


def inbox_on(user) -> None:
    StoreFeatureFlags.objects.update_or_create(store=user.store, defaults={"whatsapp_inbox": True})


@pytest.fixture(autouse=True)
def _simulator_mode(settings):
    settings.WHATSAPP_PROVIDER = "simulator"
    # The registry's simulator posts to SITE_URL: never to a dev server that may run on :8000.
    settings.SITE_URL = "http://127.0.0.1:9"


@pytest.fixture
def wa_seller(seller):
    inbox_on(seller)
    return seller


@pytest.fixture
def sim(settings) -> SimulatorGateway:
    return SimulatorGateway(
        hmac_key=settings.SIMULATOR_SECRET,
        webhook_url="http://testserver/api/webhooks/waha",
        transport=client_transport,
    )
