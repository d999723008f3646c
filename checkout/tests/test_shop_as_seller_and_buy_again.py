"""Issue 11: sellers shop in other stores (never their own; admins not at all) and "Beli lagi"."""

from __future__ import annotations

import pytest
from django.utils import translation

from catalog.models import Product
from checkout.services import buyer_order_buy_again, checkout_quote
from conftest import client_for, make_user
from orders.models import CartItem, Order
from orders.tests.factories import make_product, order_body, place
from tokoblitar.errors import NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def test_seller_orders_from_another_store_through_the_api(seller, other_seller):
    product = make_product(store=other_seller.store, stock=5)
    res = client_for(seller).post("/api/buyer/orders", order_body(product), format="json")
    assert res.status_code == 201, res.json()
    assert Order.objects.get().buyer == seller


def test_seller_cannot_order_from_her_own_store(seller):
    product = make_product(store=seller.store, stock=5)
    with pytest.raises(ValidationFailed) as err:
        checkout_quote(buyer=seller, store_id=seller.store.pk, items=[{"product_id": product.pk, "quantity": 1}])
    assert err.value.code == "own_store"
    res = client_for(seller).post("/api/buyer/orders", order_body(product), format="json")
    assert res.status_code == 400 and res.json()["meta"]["code"] == "own_store"
    assert not Order.objects.exists()
    product.refresh_from_db()
    assert product.stock == 5
    with translation.override("id"):
        assert str(err.value.message) == "Anda tidak bisa memesan dari toko sendiri"


def test_admin_stays_out_of_buyer_routes(admin_user, store):
    product = make_product(store=store, stock=5)
    res = client_for(admin_user).post("/api/buyer/orders", order_body(product), format="json")
    assert res.status_code == 403
    assert client_for(admin_user).get("/api/buyer/orders").status_code == 403


def test_buy_again_puts_items_back_and_says_what_it_skipped(buyer, store):
    keep = make_product(store=store, stock=10, name="Sambal Pecel")
    gone = make_product(store=store, stock=10, name="Wingko")
    sold_out = make_product(store=store, stock=10, name="Kerupuk")
    order = place(buyer=buyer, product=keep, quantity=2).order
    for product in (gone, sold_out):
        order.items.create(product=product, product_name=product.name, price=product.price, quantity=1, weight_gram=250)
    Product.objects.filter(pk=gone.pk).update(status=Product.Status.DRAFT)
    Product.objects.filter(pk=sold_out.pk).update(stock=0)
    CartItem.objects.filter(buyer=buyer).delete()

    with translation.override("id"):
        result = buyer_order_buy_again(actor=buyer, order_id=order.pk)
    assert result.added == ["Sambal Pecel"]
    assert dict(result.skipped) == {"Wingko": "tidak dijual lagi", "Kerupuk": "stok habis"}
    assert CartItem.objects.get(buyer=buyer).quantity == 2
    assert result.store_id == store.pk


def test_buy_again_caps_at_stock_and_is_scoped_to_the_buyer(buyer, store):
    product = make_product(store=store, stock=10)
    order = place(buyer=buyer, product=product, quantity=3).order
    Product.objects.filter(pk=product.pk).update(stock=4)
    buyer_order_buy_again(actor=buyer, order_id=order.pk)
    assert CartItem.objects.get(buyer=buyer).quantity == 3
    buyer_order_buy_again(actor=buyer, order_id=order.pk)
    assert CartItem.objects.get(buyer=buyer).quantity == 4  # never more than the stock left
    with pytest.raises(NotFound):
        buyer_order_buy_again(actor=make_user("buyer"), order_id=order.pk)
