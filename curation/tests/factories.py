"""Small ORM builders for the curation tests (only what the tests read)."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from accounts.models import User
from catalog.models import Product
from orders.models import Order, OrderItem
from stores.models import Store

_seq = itertools.count(1)

ADDRESS = {
    "name": "Siti Aminah",
    "phone": "081234567890",
    "address": "Jl. Merdeka No. 12",
    "city": "Kota Blitar",
    "district": "Sananwetan",
    "postal_code": "66137",
}


def curation_user(role: str = "buyer", **extra: Any) -> User:
    n = next(_seq)
    fields = {"email": f"{role}.c{n}@contoh.id", "full_name": f"{role.title()} C{n}", "role": role}
    fields.update(extra)
    return User.objects.create(**fields)


def quick_store(*, name: str | None = None, owner: User | None = None, **extra: Any) -> Store:
    n = next(_seq)
    owner = owner or curation_user("seller")
    name = name or f"Toko Uji {n}"
    return Store.objects.create(owner=owner, name=name, slug=extra.pop("slug", f"toko-uji-{n}"), **extra)


def quick_product(*, store: Store, name: str | None = None, price: int = 25_000, **extra: Any) -> Product:
    n = next(_seq)
    name = name or f"Produk Uji {n}"
    fields = {
        "name": name,
        "slug": f"produk-uji-{n}",
        "price": price,
        "stock": 10,
        "weight_gram": 250,
        "status": Product.Status.ACTIVE,
    }
    fields.update(extra)
    return Product.objects.create(store=store, **fields)


def quick_order(
    *,
    buyer: User,
    store: Store,
    lines: list[tuple[Product, int]],
    status: str,
    created_at: datetime | None = None,
    shipping_cost: int = 10_000,
) -> Order:
    """An order with snapshotted lines; created_at moved afterwards (auto_now_add ignores it)."""
    subtotal = sum(p.price * q for p, q in lines)
    order = Order.objects.create(
        buyer=buyer,
        store=store,
        status=status,
        subtotal=subtotal,
        shipping_cost=shipping_cost,
        total=subtotal + shipping_cost,
        courier="jne",
        shipping_address=ADDRESS,
        stock_held=False,
    )
    OrderItem.objects.bulk_create(
        [
            OrderItem(order=order, product=p, product_name=p.name, price=p.price, quantity=q, weight_gram=p.weight_gram)
            for p, q in lines
        ]
    )
    if created_at is not None:
        Order.objects.filter(pk=order.pk).update(created_at=created_at)
        order.created_at = created_at
    return order
