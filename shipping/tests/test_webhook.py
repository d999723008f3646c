"""POST /api/webhooks/kiriminaja: bearer auth, idempotency, ordering, order moves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orders.models import Order
from orders.tests.factories import active_shipping_token
from shipping.models import Shipment, ShipmentEvent
from shipping.tasks import shipment_book
from shipping.tests.helpers import paid_order
from webhooks.models import ProviderNotification

pytestmark = pytest.mark.django_db
URL = "/api/webhooks/kiriminaja"


@pytest.fixture
def booked(buyer, seller, simulator) -> Order:
    order = paid_order(buyer=buyer, store=seller.store)
    shipment_book.call(order_id=str(order.pk))
    return Order.objects.get(pk=order.pk)


# The development token that was once written in the repository: never trusted again.
PUBLIC_DEV_KEY = "KA-TOKOBLITAR-LOCAL-SIMULATOR"


def send(client, method: str, item: dict, *, token: str | None = None):
    token = token or active_shipping_token()
    return client.post(
        URL,
        {"method": method, "data": [item]},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_USER_AGENT="KiriminAja-Push-Services",
    )


def state(order: Order) -> tuple[str, str, int]:
    order.refresh_from_db()
    shipment = Shipment.objects.get(order=order)
    return order.status, shipment.status, shipment.events.count()


def test_full_journey(api_client, booked):
    ref = booked.number
    res = send(api_client, "processed_packages", {"order_id": ref, "awb": "CM123456789012"})
    assert res.status_code == 200 and res.json()["data"]["outcomes"] == ["applied"]
    assert state(booked) == ("processing", "processed", 2)
    assert Shipment.objects.get(order=booked).awb == "CM123456789012"
    send(
        api_client, "shipped_packages", {"order_id": ref, "awb": "CM123456789012", "shipped_at": "2026-11-23 15:00:00"}
    )
    assert state(booked) == ("shipped", "shipped", 3)
    send(
        api_client,
        "finished_packages",
        {"order_id": ref, "awb": "CM123456789012", "finished_at": "2026-11-24 10:30:00"},
    )
    assert state(booked) == ("delivered", "delivered", 4)
    history = list(booked.history.values_list("to_status", flat=True))
    assert history[-2:] == ["shipped", "delivered"]
    event = ShipmentEvent.objects.get(status="delivered")
    assert event.occurred_at == datetime(2026, 11, 24, 3, 30, tzinfo=UTC)  # 10:30 WIB
    assert ProviderNotification.objects.filter(provider="kiriminaja").count() == 3


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-key", "Basic SECRET", "Bearer ", "SECRET", f"Bearer {PUBLIC_DEV_KEY}"]
)
def test_bad_token_403_changes_nothing(api_client, booked, header):
    if header is not None:
        header = header.replace("SECRET", active_shipping_token())
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    res = api_client.post(
        URL,
        {"method": "shipped_packages", "data": [{"order_id": booked.number, "shipped_at": "2026-11-23 15:00:00"}]},
        format="json",
        **extra,
    )
    assert res.status_code == 403
    assert state(booked) == ("processing", "booked", 1)
    log = ProviderNotification.objects.get(provider="kiriminaja")
    assert log.signature_valid is False and log.outcome == "bad_token"


def test_live_key_replaces_the_simulator_secret(settings, api_client, booked):
    simulator_secret = active_shipping_token()
    settings.KIRIMINAJA_API_KEY = "live-key-abc"
    settings.SHIPPING_PROVIDER = "kiriminaja"
    item = {"order_id": booked.number, "shipped_at": "2026-11-23 15:00:00"}
    assert send(api_client, "shipped_packages", item, token=simulator_secret).status_code == 403
    assert send(api_client, "shipped_packages", item, token=PUBLIC_DEV_KEY).status_code == 403
    assert send(api_client, "shipped_packages", item, token="live-key-abc").status_code == 200
    assert state(booked)[0] == "shipped"


def test_simulator_secret_is_per_installation_not_the_public_dev_key(settings):
    # Random, long, never the value once written in the repository.
    assert len(settings.SIMULATOR_SECRET) >= 64 and settings.SIMULATOR_SECRET != PUBLIC_DEV_KEY


def test_replay_is_applied_once(api_client, booked):
    item = {"order_id": booked.number, "awb": "JD0001", "shipped_at": "2026-11-23 15:00:00"}
    assert send(api_client, "shipped_packages", item).json()["data"]["outcomes"] == ["applied"]
    assert send(api_client, "shipped_packages", item).json()["data"]["outcomes"] == ["duplicate"]
    assert state(booked) == ("shipped", "shipped", 2)
    assert booked.history.filter(to_status="shipped").count() == 1


def test_out_of_order_events(api_client, booked):
    ref = booked.number
    # Delivery reported before the shipped callback: the order still passes through shipped.
    assert (
        send(api_client, "finished_packages", {"order_id": ref, "finished_at": "2026-11-24 10:00:00"}).status_code
        == 200
    )
    assert state(booked) == ("delivered", "delivered", 2)
    assert list(booked.history.values_list("to_status", flat=True))[-2:] == ["shipped", "delivered"]
    # The late ones are recorded but move nothing back.
    assert send(api_client, "shipped_packages", {"order_id": ref, "shipped_at": "2026-11-23 15:00:00"}).json()["data"][
        "outcomes"
    ] == ["stale"]
    assert send(api_client, "processed_packages", {"order_id": ref, "awb": "JD42"}).json()["data"]["outcomes"] == [
        "stale"
    ]
    assert send(
        api_client, "canceled_packages", {"order_id": ref, "canceled_at": "2026-11-23 16:00:00", "reason": "x"}
    ).json()["data"]["outcomes"] == ["stale"]
    assert state(booked) == ("delivered", "delivered", 5)


def test_cancel_before_pickup_and_return(api_client, booked):
    ref = booked.number
    send(
        api_client,
        "canceled_packages",
        {"order_id": ref, "canceled_at": "2026-11-23 16:00:00", "reason": "Kurir tidak datang"},
    )
    shipment = Shipment.objects.get(order=booked)
    assert shipment.status == "canceled" and "Kurir tidak datang" in shipment.last_error
    assert state(booked)[0] == "processing"  # the seller rebooks or ships by hand


def test_returned_flags_refund(api_client, booked):
    ref = booked.number
    send(api_client, "shipped_packages", {"order_id": ref, "shipped_at": "2026-11-23 15:00:00"})
    send(api_client, "returned_packages", {"order_id": ref, "returned_at": "2026-11-26 09:00:00"})
    booked.refresh_from_db()
    assert booked.needs_refund is True and Shipment.objects.get(order=booked).status == "returned"


def test_unknown_package_and_method(api_client, booked):
    res = send(api_client, "shipped_packages", {"order_id": "TB-NOPE", "shipped_at": "2026-11-23 15:00:00"})
    assert res.status_code == 200 and res.json()["data"]["outcomes"] == ["unknown_shipment"]
    res = send(api_client, "cod_packages", {"order_id": booked.number})
    assert res.json()["data"]["outcomes"] == ["ignored"]
    assert state(booked) == ("processing", "booked", 1)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"method": "shipped_packages"}',
        b'{"method": 5, "data": []}',
        b'{"method": "shipped_packages", "data": ["x"]}',
    ],
)
def test_malformed_body_400(api_client, booked, body):
    res = api_client.generic(
        "POST", URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {active_shipping_token()}"
    )
    assert res.status_code == 400 and res.json()["error"]
    assert state(booked) == ("processing", "booked", 1)
