"""Issue 9 item 22, promo edges: the minimum order is inclusive, and a quote with a promo that
cannot apply shows why and gives no discount (pages) or answers 400 with its code (API)."""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.models import Product
from orders.models import Order
from orders.tests.factories import ADDRESS, make_promo, order_body, place
from promos.models import Promo

pytestmark = pytest.mark.django_db
ORDERS = "/api/buyer/orders"
QUOTE = "/checkout/hitung/"


def test_subtotal_exactly_the_minimum_order_gets_the_promo(buyer_client, product):
    make_promo(store=product.store, code="PAS50", min_order=50_000)  # 10 % off
    response = buyer_client.post(ORDERS, order_body(product, 2, promo_code="pas50"), format="json")  # 2 x 25.000
    assert response.status_code == 201, response.content
    order = Order.objects.get(pk=response.json()["data"]["order_id"])
    assert order.subtotal == 50_000 and order.discount == 5_000
    assert order.total == 45_000 + order.shipping_cost


def test_subtotal_one_rupiah_below_the_minimum_is_400(buyer_client, product):
    make_promo(store=product.store, code="PAS50", min_order=50_001)
    response = buyer_client.post(ORDERS, order_body(product, 2, promo_code="pas50"), format="json")
    assert response.status_code == 400
    assert response.json()["meta"]["code"] == "promo_min_order"
    assert not Order.objects.exists()


def test_exhausted_promo_is_400_with_its_code(buyer_client, product):
    make_promo(store=product.store, code="HABIS", usage_limit=3, used_count=3)
    response = buyer_client.post(ORDERS, order_body(product, 1, promo_code="habis"), format="json")
    assert response.status_code == 400
    assert response.json()["meta"]["code"] == "promo_exhausted"
    assert not Order.objects.exists()
    product.refresh_from_db()
    assert product.stock == 10


def test_promo_used_up_by_this_buyer_is_400_with_its_code(buyer, buyer_client, product):
    make_promo(store=product.store, code="SEKALI", per_buyer_limit=1)
    place(buyer=buyer, product=product, promo_code="sekali")
    response = buyer_client.post(ORDERS, order_body(product, 1, promo_code="sekali"), format="json")
    assert response.status_code == 400
    assert response.json()["meta"]["code"] == "promo_buyer_limit"
    assert Order.objects.count() == 1


@pytest.fixture
def browser(buyer) -> Client:
    client = Client()
    client.force_login(buyer)
    return client


def quote(browser: Client, product: Product, code: str) -> str:
    browser.post("/keranjang/tambah/", {"product_id": product.pk, "quantity": 2})
    response = browser.get(QUOTE, {"store_id": product.store_id, **ADDRESS, "promo_code": code})
    assert response.status_code == 200
    return response.content.decode()


def test_quote_with_a_working_promo_shows_the_discount(browser, product):
    make_promo(store=product.store, code="JALAN")
    body = quote(browser, product, "jalan")
    assert 'data-testid="discount"' in body and 'data-testid="promo-error"' not in body


def test_quote_with_an_exhausted_promo_shows_the_error_and_no_discount(browser, product):
    make_promo(store=product.store, code="HABIS", usage_limit=1, used_count=1)
    body = quote(browser, product, "habis")
    assert 'data-testid="promo-error"' in body
    assert 'data-testid="discount"' not in body and 'data-testid="promo-ok"' not in body


def test_quote_with_a_promo_at_the_buyers_limit_shows_the_error_and_no_discount(browser, buyer, product):
    promo = make_promo(store=product.store, code="SEKALI", per_buyer_limit=1)
    place(buyer=buyer, product=product, promo_code="sekali")
    assert Promo.objects.get(pk=promo.pk).used_count == 1
    body = quote(browser, product, "sekali")
    assert 'data-testid="promo-error"' in body
    assert 'data-testid="discount"' not in body and 'data-testid="promo-ok"' not in body
