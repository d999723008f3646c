"""Issue 11 item 14: the buyer confirms receipt ("Pesanan diterima")."""

from __future__ import annotations

import pytest

from conftest import make_user
from orders.causes import Cause
from orders.models import Order
from orders.services import buyer_order_confirm_received, order_transition
from orders.tests.factories import make_product, place
from tokoblitar.errors import Conflict, NotFound

pytestmark = pytest.mark.django_db


def _order(buyer, store, to: list[str]) -> Order:
    order = place(buyer=buyer, product=make_product(store=store)).order
    for status in to:
        order = order_transition(order=order, to=status, cause=Cause("test"))
    return order


@pytest.mark.parametrize("path", [["paid", "shipped"], ["paid", "shipped", "delivered"]])
def test_confirm_received_completes_a_shipped_or_delivered_order(buyer, store, path):
    order = _order(buyer, store, path)
    done = buyer_order_confirm_received(actor=buyer, order_id=order.pk)
    assert done.status == Order.Status.COMPLETED
    steps = list(order.history.values_list("to_status", "cause_code"))
    assert steps[-1] == ("completed", "buyer_confirmed")
    assert ("delivered", steps[-2][1]) == steps[-2]
    # Twice is harmless.
    assert buyer_order_confirm_received(actor=buyer, order_id=order.pk).status == Order.Status.COMPLETED


def test_confirm_received_before_shipping_is_a_conflict(buyer, store):
    order = _order(buyer, store, ["paid"])
    with pytest.raises(Conflict) as err:
        buyer_order_confirm_received(actor=buyer, order_id=order.pk)
    assert err.value.code == "order_not_receivable"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_confirm_received_of_someone_elses_order_is_not_found(buyer, store):
    order = _order(buyer, store, ["paid", "shipped"])
    with pytest.raises(NotFound):
        buyer_order_confirm_received(actor=make_user("buyer"), order_id=order.pk)
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
