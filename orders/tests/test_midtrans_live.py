"""The live Midtrans client (official SDK) against a fake Midtrans HTTP server on 127.0.0.1."""

from __future__ import annotations

import pytest

from catalog.models import Product
from orders.models import Order, Payment
from orders.payments import get_payment_provider
from orders.payments.midtrans import MidtransPaymentProvider
from orders.tests.factories import make_promo, order_body, signed_notification
from orders.tests.fake_midtrans import FakeMidtrans
from promos.models import PromoRedemption

pytestmark = pytest.mark.django_db
SERVER_KEY = "SB-Mid-server-TEST-fake-key"
ORDERS = "/api/buyer/orders"


@pytest.fixture
def midtrans(settings):
    with FakeMidtrans(SERVER_KEY) as fake:
        settings.PAYMENT_PROVIDER = ""
        settings.MIDTRANS_SERVER_KEY = SERVER_KEY
        settings.MIDTRANS_API_BASE_URL = fake.url
        settings.MIDTRANS_TIMEOUT_SECONDS = 1.0
        yield fake


def test_server_key_selects_the_live_client(midtrans):
    assert isinstance(get_payment_provider(), MidtransPaymentProvider)


def test_order_opens_qris_charge_at_midtrans(buyer_client, product, midtrans):
    response = buyer_client.post(ORDERS, order_body(product, 2), format="json")
    assert response.status_code == 201, response.content
    order = Order.objects.get(pk=response.json()["data"]["order_id"])
    charge = midtrans.requests[-1]
    assert charge["path"] == "/v2/charge"
    sent = charge["body"]
    assert sent["payment_type"] == "qris"
    assert sent["transaction_details"] == {"order_id": order.number, "gross_amount": order.total}
    # Midtrans rejects a charge whose item lines do not add up to gross_amount.
    assert sum(i["price"] * i["quantity"] for i in sent["item_details"]) == order.total
    assert sent["custom_expiry"] == {"expiry_duration": 15, "unit": "minute"}
    payment = Payment.objects.get(order=order)
    assert payment.provider == "midtrans" and payment.transaction_id.startswith("fake-")
    assert response.json()["data"]["qr_code"] == payment.qr_string == midtrans.transactions[order.number]["qr_string"]
    assert payment.expires_at > order.created_at


def test_live_mode_webhook_verifies_with_the_server_key(buyer_client, api_client, product, midtrans):
    order_id = buyer_client.post(ORDERS, order_body(product), format="json").json()["data"]["order_id"]
    order = Order.objects.get(pk=order_id)
    # The buyer pays at Midtrans; in live mode the webhook confirms with the status API (issue 9).
    midtrans.transactions[order.number].update(transaction_status="settlement", status_code="200")
    notification = signed_notification(order, "settlement")  # signed with settings.MIDTRANS_SERVER_KEY
    response = api_client.post("/api/webhooks/midtrans", notification, format="json")
    assert response.json()["data"]["outcome"] == "paid"


def assert_nothing_left(product: Product, stock: int = 10) -> None:
    product.refresh_from_db()
    assert product.stock == stock
    assert not Order.objects.exists()
    assert not PromoRedemption.objects.exists()


@pytest.mark.parametrize("failure", ["http500", "http503", "body406", "timeout", "bad_key"])
def test_provider_failure_is_502_and_leaves_nothing(buyer_client, product, midtrans, settings, failure):
    promo = make_promo(store=product.store, code="GAGAL", usage_limit=5)
    if failure.startswith("http"):
        midtrans.fail_http = int(failure[4:])
    elif failure == "body406":
        midtrans.fail_body_code = "406"
    elif failure == "timeout":
        midtrans.delay = 2.0
        settings.MIDTRANS_TIMEOUT_SECONDS = 0.3
    else:
        settings.MIDTRANS_SERVER_KEY = "SB-Mid-server-wrong"
    response = buyer_client.post(ORDERS, order_body(product, 3, promo_code="gagal"), format="json")
    assert response.status_code == 502
    assert "Midtrans" in response.json()["error"]
    assert_nothing_left(product)
    promo.refresh_from_db()
    assert promo.used_count == 0


def test_cancel_closes_the_qr_at_midtrans(
    buyer_client, seller_client, product, midtrans, django_capture_on_commit_callbacks
):
    order_id = buyer_client.post(ORDERS, order_body(product), format="json").json()["data"]["order_id"]
    number = Order.objects.get(pk=order_id).number
    with django_capture_on_commit_callbacks(execute=True):
        response = seller_client.post(f"/api/seller/orders/{order_id}/cancel", {"reason": "habis"}, format="json")
    assert response.json()["data"]["status"] == "cancelled"
    assert midtrans.transactions[number]["transaction_status"] == "cancel"
    assert any(r["path"] == f"/v2/{number}/cancel" for r in midtrans.requests)


def test_status_lookup(midtrans, buyer_client, product):
    order_id = buyer_client.post(ORDERS, order_body(product), format="json").json()["data"]["order_id"]
    number = Order.objects.get(pk=order_id).number
    provider = get_payment_provider()
    assert provider.status(number)["transaction_status"] == "pending"
