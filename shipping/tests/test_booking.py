"""The booking task: request_pickup, idempotency, retry with backoff, giving up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from orders.models import Order
from shipping.models import Shipment, SimulatedShipment
from shipping.services import book_backoff
from shipping.tasks import shipment_book
from shipping.tests.helpers import paid_order

pytestmark = pytest.mark.django_db


def _queued_bookings():
    return DBTaskResult.objects.filter(task_path="shipping.tasks.shipment_book").order_by("run_after")


def test_simulator_booking(buyer, seller, simulator):
    order = paid_order(buyer=buyer, store=seller.store)
    assert shipment_book.call(order_id=str(order.pk)) == "booked"
    shipment = Shipment.objects.get(order=order)
    assert shipment.provider == "simulator" and shipment.provider_order_id.startswith("XID-")
    assert shipment.courier == "jne" and shipment.service == order.courier_service and shipment.attempts == 1
    assert SimulatedShipment.objects.get(order_ref=order.number).pickup_number == shipment.provider_order_id
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING
    assert list(shipment.events.values_list("status", flat=True)) == ["booked"]
    # A duplicate task (or the same attempt again) books nothing twice.
    assert shipment_book.call(order_id=str(order.pk)) == "booked"
    assert shipment_book.call(order_id=str(order.pk), attempt=2) == "booked"
    assert SimulatedShipment.objects.count() == 1 and shipment.events.count() == 1


def test_unpaid_or_cancelled_orders_are_not_booked(buyer, seller, simulator):
    from orders.tests.factories import make_product, place

    order = place(buyer=buyer, product=make_product(store=seller.store)).order
    assert shipment_book.call(order_id=str(order.pk)) == "skipped"
    assert not Shipment.objects.exists()


def test_live_booking_over_the_wire(buyer, seller, fake_ka):
    order = paid_order(buyer=buyer, store=seller.store, courier="jne:REG23")
    assert shipment_book.call(order_id=str(order.pk)) == "booked"
    pickup = fake_ka.requests[-1]
    assert pickup["path"] == "/api/mitra/v6.1/request_pickup"
    body = pickup["body"]
    assert body["kecamatan_id"] == 5213 and body["schedule"] == "2026-11-23 14:00:00"
    package = body["packages"][0]
    assert package["order_id"] == order.number and package["destination_kecamatan_id"] == 5215
    assert (package["service"], package["service_type"]) == ("jne", "REG23")
    assert package["shipping_cost"] == order.shipping_cost and package["item_value"] == order.subtotal
    assert package["weight"] == order.weight_gram
    shipment = Shipment.objects.get(order=order)
    assert shipment.status == "booked" and shipment.provider_order_id == "XID-000001"


def test_provider_failure_retries_with_backoff_then_gives_up(settings, buyer, seller, fake_ka):
    settings.SHIPMENT_BOOK_MAX_ATTEMPTS = 3
    order = paid_order(buyer=buyer, store=seller.store)
    fake_ka.fail_status = 502
    before = timezone.now()
    assert shipment_book.call(order_id=str(order.pk)) == "retrying"
    shipment = Shipment.objects.get(order=order)
    assert shipment.attempts == 1 and "502" in shipment.last_error
    queued = list(_queued_bookings())
    assert len(queued) == 1 and queued[0].args_kwargs["kwargs"] == {"order_id": str(order.pk), "attempt": 2}
    assert queued[0].run_after >= before + book_backoff(1) - timedelta(seconds=1)

    assert shipment_book.call(order_id=str(order.pk), attempt=2) == "retrying"
    queued = list(_queued_bookings())
    assert len(queued) == 2 and queued[1].run_after - queued[0].run_after >= timedelta(seconds=25)

    fake_ka.fail_status = None
    fake_ka.delay = 1.5  # a timeout on the last attempt
    assert shipment_book.call(order_id=str(order.pk), attempt=3) == "failed"
    shipment.refresh_from_db()
    assert shipment.status == "failed" and shipment.attempts == 3 and "timed out" in shipment.last_error
    assert _queued_bookings().count() == 2  # nothing more scheduled
    order.refresh_from_db()
    assert order.status == Order.Status.PAID  # the seller can still ship by hand


def test_retry_succeeds_when_provider_recovers(buyer, seller, fake_ka):
    order = paid_order(buyer=buyer, store=seller.store)
    fake_ka.fail_status = 500
    assert shipment_book.call(order_id=str(order.pk)) == "retrying"
    fake_ka.fail_status = None
    assert shipment_book.call(order_id=str(order.pk), attempt=2) == "booked"
    shipment = Shipment.objects.get(order=order)
    assert shipment.last_error == "" and shipment.attempts == 2


def test_backoff_grows_and_is_capped():
    assert [book_backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert book_backoff(20).total_seconds() == 3600
