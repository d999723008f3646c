"""Real threads against real Postgres: stock and promo limits hold under racing buyers."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from catalog.models import Product
from orders.models import Order
from orders.tests.factories import make_product, make_promo, place, quick_user
from promos.models import Promo, PromoRedemption
from tokoblitar.errors import Conflict, ValidationFailed

pytestmark = pytest.mark.django_db(transaction=True)


def race(buyers, product, **kwargs) -> Counter:
    """Every buyer places an order at the same moment; returns outcome counts."""
    outcomes: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(buyers))

    def attempt(buyer) -> None:
        try:
            barrier.wait()
            place(buyer=buyer, product=product, **kwargs)
            result = "ok"
        except Conflict:
            result = "conflict"
        except ValidationFailed as exc:
            result = f"invalid: {exc.message}"
        finally:
            connection.close()
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=attempt, args=(b,)) for b in buyers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def test_twenty_buyers_race_for_five_units():
    store = quick_user("seller").store
    product = make_product(store=store, stock=5)
    buyers = [quick_user() for _ in range(20)]
    outcomes = race(buyers, product)
    assert outcomes["ok"] == 5
    assert outcomes["conflict"] == 15
    product.refresh_from_db()
    assert product.stock == 0
    assert Order.objects.count() == 5
    assert sum(o.items.get().quantity for o in Order.objects.all()) == 5


def test_multi_unit_orders_never_oversell():
    store = quick_user("seller").store
    product = make_product(store=store, stock=7)
    buyers = [quick_user() for _ in range(10)]
    outcomes = race(buyers, product, quantity=2)
    assert outcomes["ok"] == 3
    product.refresh_from_db()
    assert product.stock == 1
    assert Product.objects.filter(stock__lt=0).count() == 0


def test_promo_limit_three_raced_by_ten():
    store = quick_user("seller").store
    product = make_product(store=store, stock=100)
    promo = make_promo(store=store, code="KILAT3", usage_limit=3)
    buyers = [quick_user() for _ in range(10)]
    outcomes = race(buyers, product, promo_code="kilat3")
    assert outcomes["ok"] == 3
    assert sum(n for k, n in outcomes.items() if k.startswith("invalid")) == 7
    promo.refresh_from_db()
    assert promo.used_count == 3
    assert PromoRedemption.objects.filter(promo=promo, status="active").count() == 3
    product.refresh_from_db()
    assert product.stock == 97  # failed redemptions rolled their reservation back


def test_per_buyer_limit_holds_when_one_buyer_races_themself():
    store = quick_user("seller").store
    product = make_product(store=store, stock=100)
    promo = make_promo(store=store, code="SATUKALI", per_buyer_limit=1)
    buyer = quick_user()
    outcomes = race([buyer] * 6, product, promo_code="satukali")
    assert outcomes["ok"] == 1
    assert PromoRedemption.objects.filter(promo=promo, buyer=buyer, status="active").count() == 1
    assert Promo.objects.get(pk=promo.pk).used_count == 1
