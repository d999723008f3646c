"""The reconcile sweep (issue 9 item 20): no crash leaves an order stranded."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from orders.models import Order
from orders.tests.factories import make_product, place
from shipping.models import Shipment, SimulatedShipment
from shipping.reconcile import reconcile_run
from shipping.tasks import shipment_book
from shipping.tests.helpers import paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_grace(settings):
    settings.ALLOW_SIMULATORS = True  # tests run with DEBUG off
    settings.RECONCILE_GRACE_SECONDS = 0
    settings.STUCK_TASK_GRACE_SECONDS = 0


def _bookings() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path="shipping.tasks.shipment_book").order_by("enqueued_at"))


def _run_ready_bookings() -> None:
    """What the worker does with the queued rows (same task, same arguments)."""
    for row in DBTaskResult.objects.filter(task_path="shipping.tasks.shipment_book", status=TaskResultStatus.READY):
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        DBTaskResult.objects.filter(pk=row.pk).update(status=TaskResultStatus.SUCCESSFUL)


def _age(order: Order, minutes: int = 10) -> None:
    Order.objects.filter(pk=order.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes))


def test_paid_order_without_shipment_gets_its_courier_booked(buyer, seller, simulator):
    order = paid_order(buyer=buyer, store=seller.store)  # the booking task was lost (never enqueued)
    DBTaskResult.objects.all().delete()
    _age(order)

    report = reconcile_run()

    assert report.bookings_scheduled == [order.number]
    _run_ready_bookings()
    shipment = Shipment.objects.get(order=order)
    assert shipment.status == Shipment.Status.BOOKED
    assert SimulatedShipment.objects.filter(order_ref=order.number).count() == 1
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING
    # Booked now: the next sweeps leave it alone.
    assert reconcile_run().bookings_scheduled == []


def test_a_booking_already_queued_is_not_doubled(buyer, seller, simulator):
    order = paid_order(buyer=buyer, store=seller.store)
    DBTaskResult.objects.all().delete()
    _age(order)
    reconcile_run()
    reconcile_run()
    assert len(_bookings()) == 1


def test_recently_paid_order_is_left_to_the_normal_path(buyer, seller, simulator, settings):
    settings.RECONCILE_GRACE_SECONDS = 300
    paid_order(buyer=buyer, store=seller.store)
    DBTaskResult.objects.all().delete()
    assert reconcile_run().bookings_scheduled == []


def test_worker_killed_mid_booking_books_on_the_next_attempt(buyer, seller, simulator):
    order = paid_order(buyer=buyer, store=seller.store)
    DBTaskResult.objects.all().delete()
    # The state a worker killed inside shipment_request_pickup leaves: BOOKING, attempt 1 used.
    shipment = Shipment.objects.create(
        order=order,
        provider="simulator",
        courier=order.courier,
        service=order.courier_service,
        status=Shipment.Status.BOOKING,
        attempts=1,
    )
    Shipment.objects.filter(pk=shipment.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    _age(order)
    # Re-running the lost attempt alone books nothing (idempotency guard) ...
    assert shipment_book.call(order_id=str(order.pk), attempt=1) == "booking"

    assert reconcile_run().bookings_scheduled == [order.number]
    assert _bookings()[0].args_kwargs["kwargs"] == {"order_id": str(order.pk), "attempt": 2}
    _run_ready_bookings()
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.BOOKED and shipment.attempts == 2


def test_retry_whose_task_was_lost_is_scheduled_again(buyer, seller, simulator):
    order = paid_order(buyer=buyer, store=seller.store)
    DBTaskResult.objects.all().delete()
    past = timezone.now() - timedelta(minutes=10)
    Shipment.objects.create(
        order=order,
        provider="simulator",
        courier=order.courier,
        service=order.courier_service,
        status=Shipment.Status.RETRYING,
        attempts=2,
        next_attempt_at=past,
        last_error="timeout",
    )
    Shipment.objects.filter(order=order).update(updated_at=past)
    _age(order)
    assert reconcile_run().bookings_scheduled == [order.number]
    assert _bookings()[0].args_kwargs["kwargs"] == {"order_id": str(order.pk), "attempt": 3}
    _run_ready_bookings()
    assert Shipment.objects.get(order=order).status == Shipment.Status.BOOKED


def test_booking_task_left_running_by_a_dead_worker_is_rerun_once(buyer, seller, simulator):
    order = paid_order(buyer=buyer, store=seller.store)
    DBTaskResult.objects.all().delete()
    _age(order)
    lost = shipment_book.enqueue(order_id=str(order.pk))
    DBTaskResult.objects.filter(pk=lost.id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=10),
        worker_ids=["tb:host:999999:gone"],
    )

    report = reconcile_run()

    assert len(report.tasks_recovered) == 1
    assert report.bookings_scheduled == []  # the re-enqueued task is in flight: not doubled
    assert [r.status for r in _bookings()] == [TaskResultStatus.FAILED, TaskResultStatus.READY]
    _run_ready_bookings()
    assert Shipment.objects.get(order=order).status == Shipment.Status.BOOKED


def test_pending_order_past_its_window_is_expired(buyer, seller, simulator, settings):
    product = make_product(store=seller.store, stock=5)
    order = place(buyer=buyer, product=product, quantity=2).order
    Order.objects.filter(pk=order.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES, seconds=5)
    )
    assert reconcile_run().orders_expired == 1
    order.refresh_from_db()
    product.refresh_from_db()
    assert order.status == Order.Status.EXPIRED and product.stock == 5


def test_manual_awb_and_hand_processed_orders_are_not_booked(buyer, seller, simulator):
    by_hand = paid_order(buyer=buyer, store=seller.store)
    Order.objects.filter(pk=by_hand.pk).update(manual_awb="JNE123")
    DBTaskResult.objects.all().delete()
    _age(by_hand)
    assert reconcile_run().bookings_scheduled == []


def test_reconcile_command(buyer, seller, simulator):
    order = paid_order(buyer=buyer, store=seller.store)
    DBTaskResult.objects.all().delete()
    _age(order)
    out = StringIO()
    call_command("reconcile", stdout=out)
    assert "1 courier booking(s) scheduled" in out.getvalue()
