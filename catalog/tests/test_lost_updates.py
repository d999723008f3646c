"""Issue 9 item 11: a product edit never undoes stock reservations made since it was loaded.

Rule (catalog.services.product_update): with the stock the client loaded (`expected_stock`
on the API, `stock_loaded` in the service), a stock change is applied as a delta on what is
in stock now, `new = stock + (current - loaded)`, at least 0. Without it `stock` is set as
sent (the original contract of PUT /api/seller/products/<id>).
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Product
from catalog.services import product_update
from orders.models import Order
from orders.services import order_expire
from orders.tests.factories import blitar_areas, make_product, place, quick_user  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


def detail(product: Product) -> str:
    return f"/api/seller/products/{product.pk}"


@pytest.fixture
def api(seller) -> APIClient:
    client = APIClient()
    client.force_authenticate(seller)
    return client


@pytest.fixture
def product(seller) -> Product:
    return make_product(store=seller.store, stock=5, name="Sambel Pecel Bu Tin")


def stock_of(product: Product) -> int:
    return Product.objects.values_list("stock", flat=True).get(pk=product.pk)


def expire(order: Order) -> None:
    later = timezone.now() + timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES + 1)
    assert order_expire(order_id=order.pk, now=later)


def reserve(product: Product, quantity: int) -> Order:
    return place(buyer=quick_user(), product=product, quantity=quantity).order


def test_put_of_the_whole_loaded_object_keeps_reservations(api, product):
    loaded = api.get("/api/seller/products?limit=50").json()["data"][0]
    assert loaded["stock"] == 5
    order = reserve(product, 2)

    body = {k: loaded[k] for k in ("name", "description", "price", "stock", "weight_gram", "status")}
    res = api.put(detail(product), {**body, "name": "Sambal Pecel Bu Tin", "expected_stock": 5}, format="json")

    assert res.status_code == 200, res.json()
    assert res.json()["data"]["stock"] == 3
    assert res.json()["data"]["name"] == "Sambal Pecel Bu Tin"
    expire(order)
    assert stock_of(product) == 5  # not 7


def test_stock_set_with_expected_stock_is_relative_to_reservations_since(api, product):
    order = reserve(product, 2)
    res = api.put(detail(product), {"stock": 10, "expected_stock": 5}, format="json")
    assert res.status_code == 200, res.json()
    assert res.json()["data"]["stock"] == 8
    expire(order)
    assert stock_of(product) == 10


def test_relative_stock_never_goes_below_zero(api, product):
    reserve(product, 4)
    res = api.put(detail(product), {"stock": 1, "expected_stock": 5}, format="json")
    assert res.status_code == 200
    assert res.json()["data"]["stock"] == 0


def test_clients_sending_only_stock_keep_the_absolute_contract(api, product):
    reserve(product, 2)
    res = api.put(detail(product), {"stock": 10}, format="json")
    assert res.status_code == 200
    assert res.json()["data"]["stock"] == 10


def test_name_only_put_leaves_stock_alone(api, product):
    order = reserve(product, 2)
    res = api.put(detail(product), {"name": "Sambal Pecel"}, format="json")
    assert res.json()["data"]["stock"] == 3
    expire(order)
    assert stock_of(product) == 5


def test_expected_stock_is_validated(api, product):
    res = api.put(detail(product), {"stock": 10, "expected_stock": -1}, format="json")
    assert res.status_code == 400
    assert "expected_stock" in res.json()["meta"]["fields"]
    assert stock_of(product) == 5


def test_service_edits_racing_buyers_keep_every_reservation(product):
    """Real concurrent transactions: 8 buyers reserve one unit each while the seller, who
    loaded stock 20, adds 5 and then saves name changes with the form's unchanged stock."""
    Product.objects.filter(pk=product.pk).update(stock=20)
    buyers = [quick_user() for _ in range(8)]
    barrier = threading.Barrier(len(buyers) + 1)
    errors: list[BaseException] = []

    def buy(buyer) -> None:
        try:
            barrier.wait()
            place(buyer=buyer, product=product)
        except BaseException as exc:  # noqa: BLE001 - a thread reports any failure to the test
            errors.append(exc)
        finally:
            connection.close()

    def edit() -> None:
        try:
            barrier.wait()
            product_update(product=product, data={"stock": 25}, stock_loaded=20)
            for n in range(6):
                product_update(product=product, data={"name": f"Pecel {n}", "stock": 25}, stock_loaded=25)
        except BaseException as exc:  # noqa: BLE001 - a thread reports any failure to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(b,)) for b in buyers] + [threading.Thread(target=edit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert Order.objects.filter(store=product.store).count() == 8
    assert stock_of(product) == 20 + 5 - 8
    for order in Order.objects.filter(store=product.store):
        expire(order)
    assert stock_of(product) == 25
