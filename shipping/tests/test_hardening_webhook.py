"""Issue 9 items 1, 8, 17 and 22 on the shipping side: the KiriminAja token, bounded storage of
rejected callbacks, per-package handling, stale cancels, and booking that never doubles."""

from __future__ import annotations

import json

import pytest
from django_tasks_db.models import DBTaskResult

from orders.models import Order
from orders.tests.factories import active_shipping_token
from shipping.models import Area, Shipment
from shipping.providers import get_shipping_provider
from shipping.providers.base import bearer_token_valid
from shipping.providers.kiriminaja import KiriminAjaShippingProvider
from shipping.providers.simulator import SimulatorShippingProvider
from shipping.tasks import shipment_book
from shipping.tests.helpers import paid_order
from webhooks.models import ProviderNotification

pytestmark = pytest.mark.django_db
URL = "/api/webhooks/kiriminaja"
# The development token once written in the repository: never trusted again.
PUBLIC_DEV_KEY = "KA-TOKOBLITAR-LOCAL-SIMULATOR"


def send(client, method: str, items: list[dict], *, token: str | None = None, **extra):
    body = {"method": method, "data": items, **extra}
    return client.post(
        URL,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token or active_shipping_token()}",
        HTTP_USER_AGENT="KiriminAja-Push-Services",
    )


def booked_order(buyer, seller) -> Order:
    order = paid_order(buyer=buyer, store=seller.store)
    assert shipment_book.call(order_id=str(order.pk)) == "booked"
    return Order.objects.get(pk=order.pk)


@pytest.fixture
def booked(buyer, seller, simulator) -> Order:
    return booked_order(buyer, seller)


def shipment_of(order: Order) -> Shipment:
    return Shipment.objects.get(order=order)


def queued_bookings(order: Order, attempt: int | None = None) -> list[DBTaskResult]:
    rows = DBTaskResult.objects.filter(task_path="shipping.tasks.shipment_book")
    rows = [r for r in rows if r.args_kwargs["kwargs"].get("order_id") == str(order.pk)]
    if attempt is not None:
        rows = [r for r in rows if r.args_kwargs["kwargs"].get("attempt", 1) == attempt]
    return rows


def pickups(fake) -> int:  # noqa: ANN001
    """Booking attempts that reached the courier (each starts by asking for pickup schedules)."""
    return sum(1 for r in fake.requests if r["path"].endswith("/schedules"))


# --- Item 22: known answers for the KiriminAja bearer check ----------------------------------

KEY = "ka-known-answer-key-0001"


@pytest.mark.parametrize(
    "header, valid",
    [
        (f"Bearer {KEY}", True),
        (f"bearer {KEY}", True),
        (f"Bearer {KEY}x", False),
        (f"Bearer {KEY[:-1]}", False),
        (KEY, False),
        (f"Basic {KEY}", False),
        ("Bearer ", False),
        ("", False),
        (f"Bearer {PUBLIC_DEV_KEY}", False),
    ],
)
def test_bearer_check_known_answers(header, valid):
    assert bearer_token_valid(header, KEY) is valid
    assert KiriminAjaShippingProvider(api_key=KEY, base_url="http://127.0.0.1:9").callback_token_valid(header) is valid
    assert (
        SimulatorShippingProvider(api_key=KEY, webhook_url="http://127.0.0.1:9").callback_token_valid(header) is valid
    )


def test_empty_key_never_matches():
    assert bearer_token_valid("Bearer ", "") is False
    assert bearer_token_valid("Bearer x", "") is False


# --- Item 1: only this installation's secret authenticates the simulator ---------------------


def test_simulator_callbacks_carry_the_installation_secret(settings, api_client, booked):
    assert active_shipping_token() == settings.SIMULATOR_SECRET
    assert get_shipping_provider().callback_token_valid(f"Bearer {settings.SIMULATOR_SECRET}")
    item = {"order_id": booked.number, "shipped_at": "2026-11-23 15:00:00"}
    refused = send(api_client, "shipped_packages", [item], token=PUBLIC_DEV_KEY)
    assert refused.status_code == 403 and refused.json()["meta"]["code"] == "bad_token"
    assert shipment_of(booked).status == Shipment.Status.BOOKED
    accepted = send(api_client, "shipped_packages", [item], token=settings.SIMULATOR_SECRET)
    assert accepted.status_code == 200 and accepted.json()["data"]["outcomes"] == ["applied"]
    booked.refresh_from_db()
    assert booked.status == Order.Status.SHIPPED


def test_shipping_simulator_refused_in_production_unless_forced(settings, simulator):
    from django.core.exceptions import ImproperlyConfigured

    settings.DEBUG = False
    settings.ALLOW_SIMULATORS = False
    with pytest.raises(ImproperlyConfigured):
        get_shipping_provider()


# --- Item 8: bounded records for unauthenticated callbacks -----------------------------------

PAD = "x" * 900_000


def test_unauthenticated_900kb_callback_stores_no_body(api_client, booked):
    item = {"order_id": booked.number, "shipped_at": "2026-11-23 15:00:00"}
    raw = json.dumps({"method": "shipped_packages", "data": [item], "pad": PAD})
    response = api_client.post(URL, data=raw, content_type="application/json", HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 403
    row = ProviderNotification.objects.get(provider="kiriminaja")
    assert row.body == "" and row.size == len(raw.encode()) and row.outcome == "bad_token"
    assert shipment_of(booked).status == Shipment.Status.BOOKED


def test_authenticated_900kb_callback_is_stored_raw(api_client, booked):
    item = {"order_id": booked.number, "shipped_at": "2026-11-23 15:00:00"}
    response = send(api_client, "shipped_packages", [item], pad=PAD)
    assert response.status_code == 200, response.content[:300]
    row = ProviderNotification.objects.get(provider="kiriminaja")
    assert len(row.body) > 900_000 and json.loads(row.body)["pad"] == PAD
    assert row.size == len(row.body.encode()) and row.signature_valid is True


# --- Item 17: one bad package never sinks the others ------------------------------------------


def test_overlong_awb_is_reported_and_the_other_package_applies(api_client, buyer, seller, simulator):
    first = booked_order(buyer, seller)
    second = booked_order(buyer, seller)
    items = [
        {"order_id": first.number, "awb": "A" * 61},
        {"order_id": second.number, "awb": "CM0000000002"},
    ]
    response = send(api_client, "processed_packages", items)
    assert response.status_code == 200, response.content
    outcomes = response.json()["data"]["outcomes"]
    assert outcomes[0].startswith("invalid") and "awb" in outcomes[0]
    assert outcomes[1] == "applied"
    assert shipment_of(first).awb == "" and shipment_of(first).status == Shipment.Status.BOOKED
    assert shipment_of(second).awb == "CM0000000002" and shipment_of(second).status == Shipment.Status.PROCESSED
    # A 60-character AWB (the column's size) is fine.
    assert send(api_client, "processed_packages", [{"order_id": first.number, "awb": "B" * 60}]).json()["data"][
        "outcomes"
    ] == ["applied"]


@pytest.mark.parametrize(
    "item",
    [
        {"order_id": "TB-" + "9" * 40},
        {"order_id": "{order}", "reason": "r" * 201},
        {"order_id": "{order}", "awb": ["not", "text"]},
    ],
)
def test_other_overlong_or_odd_fields_are_reported_per_package(api_client, booked, item):
    item = {k: (v.format(order=booked.number) if isinstance(v, str) else v) for k, v in item.items()}
    response = send(api_client, "canceled_packages", [item, {"order_id": booked.number, "awb": "OK123456"}])
    assert response.status_code == 200, response.content
    outcomes = response.json()["data"]["outcomes"]
    assert outcomes[0].startswith("invalid") and outcomes[1] == "applied"


# --- Item 22: a cancel after shipping is stale ------------------------------------------------


def test_courier_cancel_after_shipped_is_stale(api_client, booked):
    send(api_client, "shipped_packages", [{"order_id": booked.number, "shipped_at": "2026-11-23 15:00:00"}])
    response = send(
        api_client,
        "canceled_packages",
        [{"order_id": booked.number, "canceled_at": "2026-11-23 16:00:00", "reason": "Alamat tidak ditemukan"}],
    )
    assert response.json()["data"]["outcomes"] == ["stale"]
    shipment = shipment_of(booked)
    assert shipment.status == Shipment.Status.SHIPPED and shipment.last_error == ""
    assert shipment.events.filter(status=Shipment.Status.CANCELED).count() == 1  # recorded
    booked.refresh_from_db()
    assert booked.status == Order.Status.SHIPPED


# --- Item 22: booking attempts -----------------------------------------------------------------


def test_same_attempt_delivered_twice_while_retrying_calls_the_courier_once(buyer, seller, fake_ka):
    order = paid_order(buyer=buyer, store=seller.store)
    fake_ka.fail_status = 502
    assert shipment_book.call(order_id=str(order.pk)) == "retrying"
    assert pickups(fake_ka) == 1
    fake_ka.fail_status = None
    assert shipment_book.call(order_id=str(order.pk), attempt=2) == "booked"
    assert shipment_book.call(order_id=str(order.pk), attempt=2) == "booked"
    assert pickups(fake_ka) == 2  # attempt 1 (failed) and attempt 2, nothing more
    assert fake_ka.pickups == 1  # one parcel booked
    assert shipment_of(order).attempts == 2


def test_duplicate_task_after_a_failure_schedules_the_next_retry_once(buyer, seller, fake_ka):
    order = paid_order(buyer=buyer, store=seller.store)
    fake_ka.fail_status = 502
    assert shipment_book.call(order_id=str(order.pk)) == "retrying"
    assert shipment_book.call(order_id=str(order.pk)) == "retrying"  # the same task, delivered again
    assert pickups(fake_ka) == 1
    assert len(queued_bookings(order, attempt=2)) == 1
    # And the retry itself, delivered twice while still failing, schedules attempt 3 once.
    assert shipment_book.call(order_id=str(order.pk), attempt=2) == "retrying"
    assert shipment_book.call(order_id=str(order.pk), attempt=2) == "retrying"
    assert pickups(fake_ka) == 2
    assert len(queued_bookings(order, attempt=3)) == 1


def test_address_without_a_district_fails_at_once_without_retry(buyer, seller, simulator):
    order = paid_order(buyer=buyer, store=seller.store)
    address = {**order.shipping_address, "district": "Atlantis", "city": "Kota Hilang"}
    Order.objects.filter(pk=order.pk).update(shipping_address=address)
    assert shipment_book.call(order_id=str(order.pk)) == "failed"
    shipment = shipment_of(order)
    assert shipment.status == Shipment.Status.FAILED and shipment.attempts == 1
    assert shipment.next_attempt_at is None and shipment.last_error
    assert queued_bookings(order) == []
    order.refresh_from_db()
    assert order.status == Order.Status.PAID  # the seller can still ship by hand


def test_district_the_courier_cannot_map_fails_at_once_without_retry(buyer, seller, fake_ka):
    order = paid_order(buyer=buyer, store=seller.store)
    # Sukorejo (357201) has no KiriminAja kecamatan id in the fake's mapping.
    assert not Area.objects.get(pk=357201).kiriminaja_id
    address = {**order.shipping_address, "district": "Sukorejo", "city": "Kota Blitar"}
    Order.objects.filter(pk=order.pk).update(shipping_address=address)
    assert shipment_book.call(order_id=str(order.pk)) == "failed"
    assert pickups(fake_ka) == 0
    shipment = shipment_of(order)
    assert shipment.status == Shipment.Status.FAILED and shipment.next_attempt_at is None
    assert queued_bookings(order) == []
