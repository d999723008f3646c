"""Real-shaped provider payloads (fixtures beside each handler) through the webhook base,
and the domain events the money path publishes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orders.causes import Cause
from orders.models import Order
from orders.payments.base import notification_signature
from orders.tests.factories import active_payment_key, active_shipping_token, place
from shipping.models import Shipment
from shipping.tasks import shipment_book
from tokoblitar.events import capture_events, publish
from webhooks.models import ProviderNotification

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PAYMENT_FIXTURES = ROOT / "orders" / "payments" / "fixtures"
SHIPPING_FIXTURES = ROOT / "shipping" / "providers" / "fixtures"


def midtrans_fixture(name: str, order: Order) -> dict:
    body = json.loads((PAYMENT_FIXTURES / name).read_text())
    body["order_id"] = order.number
    body["gross_amount"] = f"{order.total}.00"
    body["signature_key"] = notification_signature(
        order_id=order.number,
        status_code=body["status_code"],
        gross_amount=body["gross_amount"],
        key=active_payment_key(),
    )
    return body


def kiriminaja_fixture(name: str, order: Order) -> dict:
    body = json.loads((SHIPPING_FIXTURES / name).read_text())
    for item in body["data"]:
        item["order_id"] = order.number
    return body


def test_settlement_fixture_pays_the_order_and_publishes_order_paid(
    api_client, buyer, product, django_capture_on_commit_callbacks
):
    order = place(buyer=buyer, product=product).order
    with capture_events() as events, django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/webhooks/midtrans", midtrans_fixture("midtrans_qris_settlement.json", order), format="json"
        )
    assert response.status_code == 200 and response.json()["data"] == {"outcome": "paid"}
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    names = [e.name for e in events]
    assert "order.paid" in names and "order.status_changed" in names
    paid = next(e for e in events if e.name == "order.paid")
    assert paid.payload == {"order_id": str(order.pk), "store_id": str(order.store_id)}
    row = ProviderNotification.objects.get(provider="midtrans")
    assert row.signature_valid and row.outcome == "paid" and json.loads(row.body)["order_id"] == order.number


def test_expire_fixture_releases_stock_and_publishes_expired_and_stock_changed(
    api_client, buyer, product, django_capture_on_commit_callbacks
):
    order = place(buyer=buyer, product=product, quantity=2).order
    product.refresh_from_db()
    assert product.stock == 8
    with capture_events() as events, django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/webhooks/midtrans", midtrans_fixture("midtrans_qris_expire.json", order), format="json"
        )
    assert response.status_code == 200
    product.refresh_from_db()
    assert product.stock == 10
    names = [e.name for e in events]
    assert "order.expired" in names
    assert {"product_id": str(product.pk), "store_id": str(product.store_id)} in [
        e.payload for e in events if e.name == "stock.changed"
    ]


def test_order_paid_subscriber_books_the_courier(buyer, product, django_capture_on_commit_callbacks):
    from orders.services import order_transition

    order = place(buyer=buyer, product=product).order
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to=Order.Status.PAID, cause=Cause("test: paid"))
    # The shipping app heard order.paid and enqueued its booking task (orders never imports shipping).
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path="shipping.tasks.shipment_book").count() == 1


def test_kiriminaja_fixtures_walk_a_parcel_to_delivered(api_client, buyer, product):
    from orders.services import order_transition

    order = place(buyer=buyer, product=product).order
    order_transition(order=order, to=Order.Status.PAID, cause=Cause("test: paid"))
    shipment_book.call(order_id=str(order.pk))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {active_shipping_token()}", "HTTP_USER_AGENT": "KiriminAja-Push-Services"}
    for name in ("processed_packages", "shipped_packages", "finished_packages"):
        body = kiriminaja_fixture(f"kiriminaja_{name}.json", order)
        response = api_client.post("/api/webhooks/kiriminaja", body, format="json", **headers)
        assert response.status_code == 200 and response.json()["data"]["outcomes"] == ["applied"], name
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED
    assert Shipment.objects.get(order=order).awb == "JD0123456789"


def test_unserialisable_event_payload_fails_where_it_is_published():
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        publish("order.paid", order_id=object())


def test_rolled_back_change_publishes_nothing(django_capture_on_commit_callbacks):
    from django.db import transaction

    with capture_events() as events, django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                publish("order.paid", order_id="x", store_id="y")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert events == []
