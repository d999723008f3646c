"""Issue 9 item 11: the product edit form never writes back a stale row.

The page is opened (its form read exactly as a browser would submit it, hidden inputs
included), buyers reserve stock meanwhile with real orders, then the form is posted.
Stock rule (catalog.services.product_update): a stock change lands as a delta on what was
reserved since the page was loaded, `new = submitted + (current - loaded)`, at least 0.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Product
from conftest import PASSWORD
from orders.models import Order
from orders.services import order_expire
from orders.tests.factories import blitar_areas, make_product, place, quick_user  # noqa: F401 - fixture
from tokoblitar.testing.html_forms import form_values

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seller_web(seller) -> Client:
    client = Client()
    assert client.login(email=seller.email, password=PASSWORD)
    return client


@pytest.fixture
def product(seller) -> Product:
    return make_product(store=seller.store, stock=5, name="Sambel Pecel Bu Tin")


def open_edit_form(client: Client, product: Product) -> dict:
    res = client.get(reverse("dashboard:product-edit", args=[product.pk]))
    assert res.status_code == 200
    return form_values(res.content.decode(), form_id="product-form")


def submit(client: Client, product: Product, form: dict) -> None:
    res = client.post(reverse("dashboard:product-edit", args=[product.pk]), form)
    assert res.status_code == 302, res.content.decode()[:2000]


def expire(order: Order) -> None:
    later = timezone.now() + timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES + 1)
    assert order_expire(order_id=order.pk, now=later)


def stock_of(product: Product) -> int:
    return Product.objects.values_list("stock", flat=True).get(pk=product.pk)


def test_typo_fix_keeps_the_reservation_made_while_the_form_was_open(seller_web, product):
    form = open_edit_form(seller_web, product)
    assert form["stock"] == "5" and form["stock_loaded"] == "5"
    order = place(buyer=quick_user(), product=product, quantity=2).order
    assert stock_of(product) == 3

    submit(seller_web, product, {**form, "name": "Sambal Pecel Bu Tin"})

    product.refresh_from_db()
    assert product.name == "Sambal Pecel Bu Tin"
    assert product.stock == 3  # not 5: the two reserved units stay reserved
    expire(order)
    assert stock_of(product) == 5  # not 7


def test_stock_set_after_loading_lands_as_a_delta_on_reservations(seller_web, product):
    form = open_edit_form(seller_web, product)
    order = place(buyer=quick_user(), product=product, quantity=2).order

    submit(seller_web, product, {**form, "stock": "10"})

    assert stock_of(product) == 8  # 10 + (3 - 5): five added, two still reserved
    expire(order)
    assert stock_of(product) == 10


def test_stock_lowered_below_what_was_reserved_meanwhile_stops_at_zero(seller_web, product):
    form = open_edit_form(seller_web, product)
    place(buyer=quick_user(), product=product, quantity=4)

    submit(seller_web, product, {**form, "stock": "0"})

    assert stock_of(product) == 0


def test_edit_writes_only_the_fields_changed_on_the_page(seller_web, product):
    form = open_edit_form(seller_web, product)
    # Meanwhile the seller changes the price from another tab.
    Product.objects.filter(pk=product.pk).update(price=30_000)

    submit(seller_web, product, {**form, "description": "Pedas manis"})

    product.refresh_from_db()
    assert product.description == "Pedas manis"
    assert product.price == 30_000  # the form's stale price was not written back


def test_name_edits_racing_buyers_never_undo_a_reservation(seller, product):
    """Real concurrent transactions: 5 buyers reserve one unit each while the seller saves
    the form (opened at stock 5) five times; each save changes only the name."""
    Product.objects.filter(pk=product.pk).update(stock=20)
    web = Client()
    assert web.login(email=seller.email, password=PASSWORD)
    form = open_edit_form(web, product)
    buyers = [quick_user() for _ in range(5)]
    barrier = threading.Barrier(6)
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
            client = Client()
            assert client.login(email=seller.email, password=PASSWORD)
            barrier.wait()
            for n in range(5):
                submit(client, product, {**form, "name": f"Sambel Pecel edisi {n}"})
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
    assert Order.objects.filter(store=product.store).count() == 5
    assert stock_of(product) == 15
    assert Product.objects.get(pk=product.pk).name == "Sambel Pecel edisi 4"


def test_django_admin_product_change_form_keeps_reservations(admin_user, product):
    admin = Client()
    assert admin.login(email=admin_user.email, password=PASSWORD)
    url = reverse("admin:catalog_product_change", args=[product.pk])
    page = admin.get(url)
    assert page.status_code == 200
    form = form_values(page.content.decode(), form_id="product_form")
    order = place(buyer=quick_user(), product=product, quantity=2).order

    res = admin.post(url, {**form, "name": "Sambal Pecel Bu Tin"})
    assert res.status_code == 302, res.content.decode()[:3000]
    product.refresh_from_db()
    assert (product.name, product.stock) == ("Sambal Pecel Bu Tin", 3)

    # An admin raising stock after loading it adds the difference to what is left.
    form = form_values(admin.get(url).content.decode(), form_id="product_form")
    place(buyer=quick_user(), product=product, quantity=1)
    res = admin.post(url, {**form, "stock": "13"})  # loaded 3, +10
    assert res.status_code == 302
    assert stock_of(product) == 12
    expire(order)
    assert stock_of(product) == 14
