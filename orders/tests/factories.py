"""Builders and fixtures shared by the orders, promos and webhooks tests.

Import the fixtures into a test package's conftest with `from orders.tests.factories import *`.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from catalog.models import Product
from checkout.services import PlacedOrder, order_place
from orders.models import Order
from orders.payments.base import format_gross_amount, notification_signature
from promos.models import Promo
from stores.models import Store

_seq = itertools.count(1)

ADDRESS = {
    "name": "Siti Aminah",
    "phone": "081234567890",
    "address": "Jl. Merdeka No. 12, RT 02 RW 03",
    "city": "Kota Blitar",
    "district": "Sananwetan",
    "postal_code": "66137",
}


def quick_user(role: str = "buyer") -> User:
    """A user without password hashing (fast enough to make dozens in a concurrency test)."""
    n = next(_seq)
    user = User.objects.create(email=f"{role}.f{n}@contoh.id", full_name=f"{role.title()} F{n}", role=role)
    if role == "seller":
        from stores.services import store_create_for_seller

        store_create_for_seller(owner=user)
    return user


def make_product(*, store: Store, price: int = 25_000, stock: int = 10, **extra: Any) -> Product:
    n = next(_seq)
    fields = {
        "name": f"Kopi Bubuk Blitar {n}",
        "slug": f"kopi-bubuk-blitar-{n}",
        "price": price,
        "stock": stock,
        "weight_gram": 250,
        "status": Product.Status.ACTIVE,
    }
    fields.update(extra)
    return Product.objects.create(store=store, **fields)


def make_promo(*, store: Store | None, code: str = "HEMAT10", **extra: Any) -> Promo:
    now = timezone.now()
    fields = {
        "code": code.upper(),
        "type": Promo.Type.PERCENTAGE,
        "value": 10,
        "starts_at": now - timedelta(days=1),
        "ends_at": now + timedelta(days=30),
    }
    fields.update(extra)
    return Promo.objects.create(store=store, **fields)


def place(
    *, buyer: User, product: Product, quantity: int = 1, promo_code: str = "", courier: str = "jne"
) -> PlacedOrder:
    return order_place(
        buyer=buyer,
        store_id=product.store_id,
        items=[{"product_id": product.pk, "quantity": quantity}],
        shipping_address=dict(ADDRESS),
        courier=courier,
        promo_code=promo_code,
    )


def order_body(product: Product, quantity: int = 1, **extra: Any) -> dict:
    body = {
        "store_id": str(product.store_id),
        "items": [{"product_id": str(product.pk), "quantity": quantity}],
        "shipping_address": dict(ADDRESS),
        "courier": "jne",
    }
    body.update(extra)
    return body


def signed_notification(order: Order, status: str, *, status_code: str | None = None, **extra: Any) -> dict:
    """A notification exactly as Midtrans would sign it, with the active payment provider's
    key (MIDTRANS_SERVER_KEY when live, this installation's simulator secret otherwise)."""
    from orders.payments.base import STATUS_CODES

    code = status_code or STATUS_CODES[status]
    gross = extra.pop("gross_amount", format_gross_amount(order.total))
    body = {
        "transaction_time": "2026-11-23 10:00:00",
        "transaction_status": status,
        "transaction_id": f"tx-{order.number}",
        "status_message": "midtrans payment notification",
        "status_code": code,
        "payment_type": "qris",
        "order_id": order.number,
        "merchant_id": "G000TEST",
        "gross_amount": gross,
        "fraud_status": "accept",
        "currency": "IDR",
    }
    body.update(extra)
    body["signature_key"] = notification_signature(
        order_id=order.number, status_code=code, gross_amount=gross, key=active_payment_key()
    )
    return body


def active_payment_key() -> str:
    """The key the configured payment provider signs and verifies notifications with."""
    from tokoblitar.providers import provider_config

    return provider_config("payments").options["server_key"]


def active_shipping_token() -> str:
    """The Bearer token the configured shipping provider's callbacks carry."""
    from tokoblitar.providers import provider_config

    return provider_config("shipping").options["api_key"]


BLITAR_AREAS = [
    # (Kemendagri kecamatan code, name, lat, lng): the districts the tests ship from and to.
    (357201, "Sukorejo", -8.0917, 112.1569),
    (357202, "Kepanjenkidul", -8.0983, 112.1681),
    (357203, "Sananwetan", -8.1036, 112.1822),
]


@pytest.fixture(autouse=True)
def blitar_areas(request) -> None:
    """Kota Blitar districts for shipping quotes (kept if the shipping app already loaded them)."""
    if not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("db")
    from shipping.models import Area

    for code, name, lat, lng in BLITAR_AREAS:
        Area.objects.get_or_create(
            id=code,
            defaults={"name": name, "city": "Kota Blitar", "province": "Jawa Timur", "lat": lat, "lng": lng},
        )


@pytest.fixture
def store(seller) -> Store:
    return seller.store


@pytest.fixture
def product(store) -> Product:
    return make_product(store=store, price=25_000, stock=10)
