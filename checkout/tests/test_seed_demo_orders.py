"""`manage.py seed_demo_orders`: demo orders through the real services, placed once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from catalog.models import Product
from checkout.management.commands.seed_demo_orders import DEMO_BUYER, DEMO_SELLER, PLAN
from orders.models import Order, OrderItem, PaymentEvent
from shipping.models import Shipment
from stores.models import Store

pytestmark = pytest.mark.django_db

EXPECTED = Counter(
    {
        "delivered": 3,
        "shipped": 2,
        "processing": 2,
        "paid": 2,
        "expired": 1,
        "pending_payment": 1,
    }
)


@pytest.fixture
def demo(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.SEED_DEMO = True  # tests run with DEBUG off; demo data needs the explicit flag
    settings.PAYMENT_PROVIDER = "simulator"
    settings.SHIPPING_PROVIDER = "simulator"
    call_command("seed_demo", stdout=StringIO())


def _stock() -> dict:
    return dict(Product.objects.values_list("pk", "stock"))


def test_places_orders_once_through_the_real_state_machine(demo, django_capture_on_commit_callbacks):
    before = _stock()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo_orders", stdout=out)
    assert f"{len(PLAN)} created" in out.getvalue()

    orders = list(Order.objects.filter(buyer__email=DEMO_BUYER))
    assert len(orders) == len(PLAN) == sum(EXPECTED.values())
    assert Counter(o.status for o in orders) == EXPECTED
    assert not any(o.needs_refund for o in orders)

    # Paid through signed notifications (recorded like the webhook's), expired the same way.
    for order in orders:
        outcomes = set(PaymentEvent.objects.filter(order=order).values_list("outcome", flat=True))
        if order.status == "pending_payment":
            assert outcomes == set() and order.stock_held
            assert order.payment.status == "pending"
        elif order.status == "expired":
            assert outcomes == {"released"} and not order.stock_held
            assert order.payment.status == "expire"
        else:
            assert outcomes == {"paid"} and order.stock_held
            assert order.payment.status == "settlement" and order.payment.paid_at is not None
    # Every move is in the history, in machine order.
    delivered = next(o for o in orders if o.status == "delivered")
    history = list(delivered.history.order_by("at", "pk").values_list("to_status", flat=True))
    assert history == ["pending_payment", "paid", "processing", "shipped", "delivered"]
    # Courier states match the order states.
    for order in orders:
        shipment = Shipment.objects.filter(order=order).first()
        if order.status in ("processing", "shipped", "delivered"):
            assert shipment.awb or order.status == "processing"
            assert (
                shipment.status
                == {"processing": "booked", "shipped": "shipped", "delivered": "delivered"}[order.status]
            )
        else:
            assert shipment is None

    # Stock went down by exactly what the live orders hold; the expired order gave its back.
    after = _stock()
    held = Counter()
    for item in OrderItem.objects.filter(order__buyer__email=DEMO_BUYER, order__stock_held=True):
        held[item.product_id] += item.quantity
    assert held and all(before[pk] - after[pk] == held[pk] for pk in before)

    # Spread over the last two weeks; the pending order is fresh so the expiry sweep leaves it.
    now = timezone.now()
    created = sorted(o.created_at for o in Order.objects.filter(buyer__email=DEMO_BUYER))
    assert now - timedelta(days=14) < created[0] < now - timedelta(days=12)
    assert Order.objects.get(buyer__email=DEMO_BUYER, status="pending_payment").created_at > now - timedelta(minutes=5)
    assert len({c.date() for c in created}) >= 8
    call_command("expire_orders", stdout=StringIO())
    assert Order.objects.filter(buyer__email=DEMO_BUYER, status="pending_payment").count() == 1

    # The demo seller's store has orders in every state.
    demo_store = Store.objects.get(owner__email=DEMO_SELLER)
    assert {o.status for o in orders if o.store_id == demo_store.pk} >= {
        "delivered",
        "shipped",
        "processing",
        "paid",
        "pending_payment",
    }
    assert len({o.store_id for o in orders}) >= 4

    # Second run: nothing new, stock untouched.
    out = StringIO()
    call_command("seed_demo_orders", stdout=out)
    assert "already present" in out.getvalue()
    assert Order.objects.filter(buyer__email=DEMO_BUYER).count() == len(PLAN)
    assert _stock() == after


def test_enqueued_background_tasks_succeed_when_the_worker_runs_them(demo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo_orders", stdout=StringIO())
    tasks = list(DBTaskResult.objects.order_by("enqueued_at"))
    paths = Counter(t.task_path for t in tasks)
    paid_like = sum(n for state, n in EXPECTED.items() if state not in ("pending_payment", "expired"))
    assert paths["shipping.tasks.shipment_book"] == paid_like
    assert paths["orders.tasks.orders_expire_unpaid"] == len(PLAN)
    # Run them the way the worker does (the task function with its stored arguments).
    results = Counter()
    for result in tasks:
        if result.task_path == "shipping.tasks.shipment_book":
            results[result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])] += 1
    # The orders left "paid" get their courier now, the ones already booked answer "booked" without
    # booking twice, and parcels already on their way need nothing.
    assert results == Counter(
        {"booked": EXPECTED["paid"] + EXPECTED["processing"], "skipped": EXPECTED["shipped"] + EXPECTED["delivered"]}
    )
    assert set(Shipment.objects.values_list("attempts", flat=True)) == {1}
    assert Order.objects.filter(buyer__email=DEMO_BUYER, status="paid").count() == 0
    assert Order.objects.filter(buyer__email=DEMO_BUYER, status="processing").count() == 4


def test_admin_metrics_and_seller_dashboard_are_not_empty(demo, admin_client_api, client):
    call_command("seed_demo_orders", stdout=StringIO())
    body = admin_client_api.get("/api/admin/dashboard?days=14").json()
    paid_total = sum(
        Order.objects.filter(buyer__email=DEMO_BUYER, status__in=Order.PAID_STATES).values_list("total", flat=True)
    )
    assert body["data"]["gmv"] == paid_total > 0
    assert client.login(email=DEMO_SELLER, password="demo12345")
    page = client.get("/dashboard/pesanan/").content.decode()
    numbers = Order.objects.filter(store__owner__email=DEMO_SELLER).values_list("number", flat=True)
    assert numbers and all(n in page for n in numbers)


def test_needs_the_demo_buyer(db, settings):
    settings.SEED_DEMO = True  # tests run with DEBUG off, where demo data needs the explicit flag
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_demo_orders", stdout=StringIO())


def test_skipped_with_a_live_payment_provider(demo, settings):
    settings.PAYMENT_PROVIDER = "midtrans"
    settings.MIDTRANS_SERVER_KEY = "SB-Mid-server-test"
    out = StringIO()
    call_command("seed_demo_orders", stdout=out)
    assert "skipped" in out.getvalue()
    assert not Order.objects.exists()
