"""A clashing random order number retries the whole reservation: one order, stock taken once."""

from __future__ import annotations

import pytest

from catalog.models import Product
from orders.models import Order, OrderItem
from orders.tests.factories import make_product, place, quick_user
from tokoblitar.errors import Conflict

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbers(monkeypatch):
    """Make the next order numbers come from a list. Django caches the field's default callable
    in `_get_default` on first use, so that is what is swapped (and restored after)."""
    field = Order._meta.get_field("number")
    queue: list[str] = []
    monkeypatch.setattr(field, "_get_default", lambda: queue.pop(0))
    return queue


def test_a_clashing_number_draws_again_and_takes_stock_once(store, blitar_areas, numbers):
    product = make_product(store=store, stock=5)
    numbers.append("TB-20261201-AAAAAA")
    first = place(buyer=quick_user(), product=product).order
    numbers.extend(["TB-20261201-AAAAAA", "TB-20261201-BBBBBB"])  # the first clashes
    second = place(buyer=quick_user(), product=product).order
    assert (first.number, second.number) == ("TB-20261201-AAAAAA", "TB-20261201-BBBBBB")
    assert Product.objects.get(pk=product.pk).stock == 3  # one unit per order, not two
    assert OrderItem.objects.filter(order=second).count() == 1
    assert second.history.count() == 1


def test_three_clashes_refuse_and_leave_nothing(store, blitar_areas, numbers):
    product = make_product(store=store, stock=5)
    numbers.append("TB-20261201-AAAAAA")
    place(buyer=quick_user(), product=product)
    numbers.extend(["TB-20261201-AAAAAA"] * 3)
    with pytest.raises(Conflict) as caught:
        place(buyer=quick_user(), product=product)
    assert caught.value.code == "order_number_busy"
    assert Order.objects.count() == 1
    assert Product.objects.get(pk=product.pk).stock == 4
