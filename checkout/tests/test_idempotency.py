"""Issue 9 item 12: one order per submitted form and per Idempotency-Key, whatever arrives at
the same moment. Real threads against real Postgres (see orders/tests/test_concurrency.py)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from checkout.models import CheckoutAttempt
from conftest import client_for
from orders.models import Order
from orders.tests.factories import ADDRESS, make_product, order_body, quick_user
from orders.tests.fake_midtrans import FakeMidtrans

ORDERS = "/api/buyer/orders"


def at_once(*calls):
    """Run the callables in threads released together; returns their results in order."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i, call) -> None:  # noqa: ANN001
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def stock_of(product) -> int:  # noqa: ANN001
    product.refresh_from_db()
    return product.stock


@pytest.mark.django_db(transaction=True)
def test_same_idempotency_key_at_the_same_moment_places_one_order():
    product = make_product(store=quick_user("seller").store, stock=10)
    buyer = quick_user()
    clients = [client_for(buyer), client_for(buyer), client_for(buyer)]
    body = order_body(product, 2)

    def place(client: APIClient):
        return client.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="tap-1234")

    responses = at_once(*(lambda c=c: place(c) for c in clients))
    assert [r.status_code for r in responses] == [201, 201, 201], [getattr(r, "content", r) for r in responses]
    ids = {r.json()["data"]["order_id"] for r in responses}
    assert len(ids) == 1
    assert Order.objects.count() == 1 and str(Order.objects.get().pk) in ids
    assert stock_of(product) == 8
    assert CheckoutAttempt.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_same_checkout_form_submitted_twice_at_once_places_one_order():
    from shipping.services import shipping_rates

    store = quick_user("seller").store
    product = make_product(store=store, price=30_000, stock=5)
    buyer = quick_user()
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(buyer)
    browsers[0].post("/keranjang/tambah/", {"product_id": product.pk, "quantity": 2})
    rate = shipping_rates(store=store, destination=ADDRESS, weight_gram=500)[0]
    form = {"store_id": store.pk, **ADDRESS, "courier": rate.code, "form_token": "tok_" + "a" * 28}

    responses = at_once(*(lambda b=b: b.post("/checkout/", form) for b in browsers))
    orders = list(Order.objects.all())
    assert len(orders) == 1
    assert stock_of(product) == 3
    # The first answer goes to the payment page; the second either does too (same order) or,
    # if it read the cart after the first emptied it, back to the (empty) cart. Never a 500.
    locations = [r["Location"] for r in responses]
    assert f"/pay/{orders[0].pk}/" in locations
    assert set(locations) <= {f"/pay/{orders[0].pk}/", "/keranjang/"}


@pytest.mark.django_db(transaction=True)
def test_resubmitting_a_checkout_form_answers_the_same_order():
    from shipping.services import shipping_rates

    store = quick_user("seller").store
    product = make_product(store=store, price=30_000, stock=5)
    buyer = quick_user()
    browser = Client()
    browser.force_login(buyer)
    rate = shipping_rates(store=store, destination=ADDRESS, weight_gram=500)[0]
    form = {"store_id": store.pk, **ADDRESS, "courier": rate.code, "form_token": "tok_" + "b" * 28}
    browser.post("/keranjang/tambah/", {"product_id": product.pk, "quantity": 1})
    first = browser.post("/checkout/", form)
    # The buyer puts the product in the cart again and the browser resends the old form.
    browser.post("/keranjang/tambah/", {"product_id": product.pk, "quantity": 1})
    second = browser.post("/checkout/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1 and stock_of(product) == 4


@pytest.mark.django_db
def test_sequential_retry_with_the_same_key_answers_the_same_order(buyer_client, product):
    first = buyer_client.post(ORDERS, order_body(product, 2), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = buyer_client.post(ORDERS, order_body(product, 2), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["data"] == again.json()["data"]
    assert Order.objects.count() == 1 and stock_of(product) == 8


@pytest.mark.django_db
def test_same_key_with_a_different_body_is_409(buyer_client, product):
    assert (
        buyer_client.post(ORDERS, order_body(product, 1), format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201
    )
    response = buyer_client.post(ORDERS, order_body(product, 3), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 409
    assert response.json()["meta"]["code"] == "idempotency_mismatch"
    assert Order.objects.count() == 1 and stock_of(product) == 9


@pytest.mark.django_db
def test_keys_belong_to_one_buyer(buyer_client, product):
    other = client_for(quick_user())
    a = buyer_client.post(ORDERS, order_body(product), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    b = other.post(ORDERS, order_body(product), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert a.status_code == b.status_code == 201
    assert a.json()["data"]["order_id"] != b.json()["data"]["order_id"]
    assert Order.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["a" * 101, "spasi di dalam", "kunci\u00e9"])
def test_malformed_key_is_400(buyer_client, product, key):
    response = buyer_client.post(ORDERS, order_body(product), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert response.json()["meta"]["code"] == "invalid_idempotency_key"
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_failed_attempt_keeps_no_key_so_a_retry_works(settings, buyer_client, product):
    with FakeMidtrans("SB-Mid-server-TEST-idem") as midtrans:
        settings.PAYMENT_PROVIDER = ""
        settings.MIDTRANS_SERVER_KEY = "SB-Mid-server-TEST-idem"
        settings.MIDTRANS_API_BASE_URL = midtrans.url
        settings.MIDTRANS_TIMEOUT_SECONDS = 1.0
        midtrans.fail_http = 503
        failed = buyer_client.post(ORDERS, order_body(product, 2), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
        assert failed.status_code == 502
        assert failed.json()["meta"]["code"]  # the provider's failure, named
        assert not CheckoutAttempt.objects.exists() and not Order.objects.exists()
        assert stock_of(product) == 10
        midtrans.fail_http = None
        retry = buyer_client.post(ORDERS, order_body(product, 2), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert retry.status_code == 201, retry.content
    assert Order.objects.count() == 1 and stock_of(product) == 8
    assert CheckoutAttempt.objects.get().order_id == Order.objects.get().pk
