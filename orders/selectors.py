"""Reads for carts and orders. Every list loads in a constant number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from orders.models import CartItem, Order, OrderItem
from stores.models import Store
from tokoblitar.errors import NotFound


def cart_list_for_buyer(*, buyer: User) -> QuerySet[CartItem]:
    return CartItem.objects.filter(buyer=buyer).select_related("product__store").order_by("created_at", "id")


def _with_details(qs: QuerySet[Order], select: Sequence[str] = (), prefetch: Sequence[str] = ()) -> QuerySet[Order]:
    return qs.select_related("store", "payment", "buyer", *select).prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id")), "history", *prefetch
    )


def order_list_for_buyer(*, buyer: User, status: str | None = None) -> QuerySet[Order]:
    qs = Order.objects.filter(buyer=buyer).select_related("store", "payment").prefetch_related("items")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def order_get_for_buyer(
    *, buyer: User, order_id: UUID, select: Sequence[str] = (), prefetch: Sequence[str] = ()
) -> Order:
    """The buyer's own order with store, payment, items and history loaded; anyone else's
    answers 404 (never reveal that it exists). Higher layers add their relations through
    `select`/`prefetch` (shipping: `shipping.selectors.SHIPMENT_RELATIONS`)."""
    order = _with_details(Order.objects.filter(pk=order_id, buyer=buyer), select, prefetch).first()
    if order is None:
        raise NotFound(_("Order not found"), code="order_not_found")
    return order


def order_list_for_store(*, store: Store, status: str | None = None) -> QuerySet[Order]:
    qs = Order.objects.filter(store=store).select_related("buyer", "payment", "store").prefetch_related("items")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def order_get_for_store(*, store: Store, order_id: UUID) -> Order:
    order = Order.objects.filter(pk=order_id, store=store).first()
    if order is None:
        raise NotFound(_("Order not found"), code="order_not_found")
    return order
