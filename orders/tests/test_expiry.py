"""Unpaid orders expire after PAYMENT_EXPIRY_MINUTES and give their stock and promo use back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from orders.models import Order
from orders.services import orders_expire_overdue
from orders.tasks import orders_expire_unpaid
from orders.tests.factories import make_promo, place, signed_notification

pytestmark = pytest.mark.django_db


def age(order: Order, minutes: int) -> None:
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_expiry_task_releases_stock_and_promo(buyer, product):
    promo = make_promo(store=product.store, code="WAKTU")
    old = place(buyer=buyer, product=product, quantity=3, promo_code="waktu").order
    fresh = place(buyer=buyer, product=product, quantity=2).order
    age(old, 16)
    product.refresh_from_db()
    assert product.stock == 5
    assert orders_expire_unpaid.call() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    product.refresh_from_db()
    promo.refresh_from_db()
    assert old.status == Order.Status.EXPIRED and old.payment.status == "expire"
    assert fresh.status == Order.Status.PENDING_PAYMENT
    assert product.stock == 8 and promo.used_count == 0
    assert (old.history.last().cause_code, old.history.last().cause) == (
        "payment_window_passed",
        "Payment window passed",
    )
    # A second sweep changes nothing.
    assert orders_expire_overdue() == 0
    product.refresh_from_db()
    assert product.stock == 8


def test_paid_orders_never_expire(api_client, buyer, product):
    order = place(buyer=buyer, product=product).order
    api_client.post("/api/webhooks/midtrans", signed_notification(order, "settlement"), format="json")
    age(order, 60)
    assert orders_expire_overdue() == 0
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_window_is_configurable(buyer, product, settings):
    settings.PAYMENT_EXPIRY_MINUTES = 60
    order = place(buyer=buyer, product=product).order
    age(order, 30)
    assert orders_expire_overdue() == 0
    age(order, 61)
    assert orders_expire_overdue() == 1


def test_placing_an_order_schedules_the_expiry_task(buyer, product, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = place(buyer=buyer, product=product).order
    task = DBTaskResult.objects.get(task_path="orders.tasks.orders_expire_unpaid")
    assert task.run_after >= order.created_at + timedelta(minutes=15)


def test_expire_orders_command(buyer, product, capsys):
    order = place(buyer=buyer, product=product).order
    age(order, 20)
    call_command("expire_orders")
    assert "Expired 1 unpaid order" in capsys.readouterr().out
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
