from __future__ import annotations

from accounts.models import User
from catalog.models import Product
from orders.causes import Cause
from orders.models import Order
from orders.services import order_transition
from orders.tests.factories import make_product, place


def paid_order(*, buyer: User, store, courier: str = "jne", product: Product | None = None) -> Order:  # noqa: ANN001
    product = product or make_product(store=store, price=40_000, stock=5)
    order = place(buyer=buyer, product=product, quantity=2, courier=courier).order
    return order_transition(order=order, to=Order.Status.PAID, cause=Cause("test: paid"))
