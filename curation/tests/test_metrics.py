"""Dashboard figures against a hand-built set of orders (numbers worked out by hand below)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.models import User
from curation.metrics import dashboard_metrics
from curation.tests.factories import curation_user, quick_order, quick_product, quick_store
from orders.models import Order
from stores.models import Store

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=WIB)
S = Order.Status


@pytest.fixture
def shop():
    old_seller = curation_user("seller")
    User.objects.filter(pk=old_seller.pk).update(date_joined=NOW - timedelta(days=100))
    store_a = quick_store(name="Kopi Mbah Sastro", owner=old_seller)
    store_b = quick_store(name="Batik Kendalisodo")
    Store.objects.filter(pk=store_b.pk).update(created_at=NOW - timedelta(days=100))
    buyer = curation_user("buyer")
    old_buyer = curation_user("buyer")
    User.objects.filter(pk=old_buyer.pk).update(date_joined=NOW - timedelta(days=100))
    p1 = quick_product(store=store_a, name="Kopi Robusta", price=10_000)
    p2 = quick_product(store=store_b, name="Batik Tulis", price=50_000)
    p3 = quick_product(store=store_a, name="Gula Aren", price=5_000)

    def day(days_ago: int, hour: int = 9) -> datetime:
        return (NOW - timedelta(days=days_ago)).replace(hour=hour)

    # shipping is 10_000 on each order
    quick_order(buyer=buyer, store=store_a, lines=[(p1, 3)], status=S.PAID, created_at=day(0))  # 40_000
    quick_order(buyer=buyer, store=store_b, lines=[(p2, 1)], status=S.PENDING_PAYMENT, created_at=day(0))
    quick_order(buyer=buyer, store=store_a, lines=[(p2, 2), (p3, 1)], status=S.COMPLETED, created_at=day(2))  # 115k
    quick_order(buyer=buyer, store=store_a, lines=[(p1, 10)], status=S.CANCELLED, created_at=day(2))
    quick_order(buyer=buyer, store=store_b, lines=[(p2, 5)], status=S.REFUNDED, created_at=day(3))
    quick_order(buyer=buyer, store=store_a, lines=[(p3, 20)], status=S.SHIPPED, created_at=day(5))  # 110_000
    quick_order(buyer=buyer, store=store_b, lines=[(p2, 100)], status=S.PAID, created_at=day(40))  # outside 30 days
    # 00:30 WIB today is still yesterday in UTC: it must land on today's point.
    quick_order(
        buyer=buyer, store=store_a, lines=[(p1, 1)], status=S.DELIVERED, created_at=day(0, hour=0).replace(minute=30)
    )
    return {"p1": p1, "p2": p2, "p3": p3}


def test_dashboard_metrics_by_hand(shop):
    m = dashboard_metrics(days=30, now=NOW)
    assert (m["from"], m["to"], m["days"]) == ("2026-10-25", "2026-11-23", 30)
    assert m["gmv"] == 40_000 + 115_000 + 110_000 + 20_000
    assert m["paid_orders"] == 4
    assert m["orders_total"] == 7
    assert m["average_order_value"] == 285_000 // 4
    assert m["orders_by_status"] == {
        "pending_payment": 1,
        "paid": 1,
        "processing": 0,
        "shipped": 1,
        "delivered": 1,
        "completed": 1,
        "cancelled": 1,
        "expired": 0,
        "refunded": 1,
    }
    assert m["new_stores"] == 1
    assert m["new_buyers"] == 1
    by_revenue = [(r["name"], r["revenue"], r["units"]) for r in m["top_products_by_revenue"]]
    assert by_revenue == [("Gula Aren", 105_000, 21), ("Batik Tulis", 100_000, 2), ("Kopi Robusta", 40_000, 4)]
    by_units = [(r["name"], r["units"]) for r in m["top_products_by_units"]]
    assert by_units == [("Gula Aren", 21), ("Kopi Robusta", 4), ("Batik Tulis", 2)]
    assert m["top_products_by_revenue"][0]["store_name"] == "Kopi Mbah Sastro"

    daily = m["daily"]
    assert len(daily) == 30
    assert daily[0]["date"] == "2026-10-25" and daily[-1]["date"] == "2026-11-23"
    points = {d["date"]: (d["orders"], d["paid_orders"], d["gmv"]) for d in daily if d["orders"]}
    assert points == {
        "2026-11-23": (3, 2, 60_000),
        "2026-11-21": (2, 1, 115_000),
        "2026-11-20": (1, 0, 0),
        "2026-11-18": (1, 1, 110_000),
    }
    assert sum(d["gmv"] for d in daily) == m["gmv"]


def test_dashboard_window_sizes(shop):
    one = dashboard_metrics(days=1, now=NOW)
    assert one["gmv"] == 60_000 and one["orders_total"] == 3 and len(one["daily"]) == 1
    year = dashboard_metrics(days=365, now=NOW)
    assert year["gmv"] == 285_000 + 5_010_000
    assert year["new_stores"] == 2 and year["new_buyers"] == 2
    assert len(year["daily"]) == 365


def test_dashboard_empty_is_all_zero():
    m = dashboard_metrics(days=7, now=NOW)
    assert m["gmv"] == 0 and m["average_order_value"] == 0
    assert m["top_products_by_revenue"] == [] and all(d["orders"] == 0 for d in m["daily"])


def test_dashboard_api_and_days_validation(admin_client_api, shop):
    response = admin_client_api.get("/api/admin/dashboard", {"days": 365})
    assert response.status_code == 200
    body = response.json()["data"]
    assert body["gmv"] >= 285_000 and len(body["daily"]) == 365
    assert len(admin_client_api.get("/api/admin/dashboard").json()["data"]["daily"]) == 30
    for bad in (0, 366, -3, "abc", "7.5"):
        response = admin_client_api.get("/api/admin/dashboard", {"days": bad})
        assert response.status_code == 400, bad
        assert "days" in response.json()["meta"]["fields"]


def test_dashboard_query_count_is_constant(admin_client_api, django_assert_max_num_queries, shop):
    # token lookup + 6 aggregate queries, whatever the number of orders, days or products
    with django_assert_max_num_queries(7):
        admin_client_api.get("/api/admin/dashboard", {"days": 365})
    buyer = curation_user("buyer")
    for _ in range(10):
        store = quick_store()
        quick_order(buyer=buyer, store=store, lines=[(quick_product(store=store), 2)], status=S.PAID)
    with django_assert_max_num_queries(7):
        response = admin_client_api.get("/api/admin/dashboard", {"days": 365})
    assert len(response.json()["data"]["top_products_by_revenue"]) == 5
