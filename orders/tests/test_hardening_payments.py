"""Issue 9 items 1, 7, 8 and 22 on the payment side: development keys, the status behind the
signature, bounded storage of rejected notifications, and money-path rules no other test pins.

Signatures here are computed with hashlib in this file (or are literal known-answer vectors),
never with the helper the verifier uses, so a wrong formula in that helper fails these tests.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from catalog.models import Product
from orders.models import Order, PaymentEvent, SimulatedCharge
from orders.payments import get_payment_provider
from orders.payments.base import format_gross_amount, notification_signature
from orders.payments.midtrans import MidtransPaymentProvider
from orders.payments.simulator import SimulatorPaymentProvider
from orders.services import orders_expire_overdue
from orders.tests.factories import make_promo, order_body, place
from orders.tests.fake_midtrans import FakeMidtrans
from promos.models import Promo, PromoRedemption
from webhooks.models import ProviderNotification

pytestmark = pytest.mark.django_db
URL = "/api/webhooks/midtrans"
ORDERS = "/api/buyer/orders"

# The development server key once written in the repository: anyone could sign with it.
PUBLIC_DEV_KEY = "SB-Mid-server-TOKOBLITAR-LOCAL-SIMULATOR"

# Known-answer vector: SHA512("Postman-1578568851" + "200" + "10000.00" + key), hex, computed
# outside Python with `printf '%s' … | sha512sum` (Midtrans "Verifying Notification
# Authenticity": plain concatenation, gross_amount with two decimals).
KAT_ORDER_ID = "Postman-1578568851"
KAT_GROSS = "10000.00"
KAT_KEY = "VT-server-EXAMPLE-known-answer"
KAT_200 = (
    "22bee366c87d3948d15d6fb7e827710a089cedc4d4b4ca28c8e3590358c286db"
    "624f5dc73e91198481cfba2ce6cd4b183e67b30e98f38b0c6fd6950592a18585"
)
KAT_201 = (
    "560b844374a5849dcb28c1610e6ebe31d1ec1c857419be1c59b3034590909fa2"
    "e28ed3118c061e4504f379185be91740fd770ed9f2fb791dd2b7a4b949edfb21"
)
STATUS_CODES = {"settlement": "200", "capture": "200", "pending": "201", "refund": "200", "partial_refund": "200"}


def midtrans_signature(order_id: str, status_code: str, gross_amount: str, key: str) -> str:
    """Midtrans' documented formula, written out here on purpose (not our helper)."""
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{key}".encode()).hexdigest()


def notification(order: Order, status: str, *, key: str, status_code: str | None = None, **extra) -> dict:
    code = status_code or STATUS_CODES[status]
    gross = extra.pop("gross_amount", f"{order.total}.00")
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
    body["signature_key"] = midtrans_signature(order.number, code, gross, key)
    return body


def sim_notification(order: Order, status: str, **kwargs) -> dict:
    from django.conf import settings

    return notification(order, status, key=settings.SIMULATOR_SECRET, **kwargs)


def post(client, body: dict | str):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=raw, content_type="application/json")


def stock(product: Product) -> int:
    product.refresh_from_db()
    return product.stock


def status_of(order: Order) -> str:
    order.refresh_from_db()
    return order.status


@pytest.fixture
def order(buyer, product) -> Order:
    return place(buyer=buyer, product=product, quantity=2).order


@pytest.fixture
def paid(api_client, order) -> Order:
    assert post(api_client, sim_notification(order, "settlement")).json()["data"]["outcome"] == "paid"
    order.refresh_from_db()
    return order


# --- Item 22: known-answer vectors for the Midtrans signature -----------------------------


def test_midtrans_signature_known_answer_vector():
    assert midtrans_signature(KAT_ORDER_ID, "200", KAT_GROSS, KAT_KEY) == KAT_200
    assert (
        notification_signature(order_id=KAT_ORDER_ID, status_code="200", gross_amount=KAT_GROSS, key=KAT_KEY) == KAT_200
    )
    assert (
        notification_signature(order_id=KAT_ORDER_ID, status_code="201", gross_amount=KAT_GROSS, key=KAT_KEY) == KAT_201
    )
    assert format_gross_amount(10_000) == KAT_GROSS


@pytest.mark.parametrize(
    "provider",
    [
        MidtransPaymentProvider(server_key=KAT_KEY),
        SimulatorPaymentProvider(server_key=KAT_KEY, webhook_url="http://127.0.0.1:9/unused"),
    ],
    ids=["live", "simulator"],
)
def test_verifiers_accept_the_known_answer_and_nothing_else(provider):
    good = {"order_id": KAT_ORDER_ID, "status_code": "200", "gross_amount": KAT_GROSS, "signature_key": KAT_200}
    assert provider.verify_notification(good) is True
    assert provider.verify_notification({**good, "status_code": "201", "signature_key": KAT_201}) is True
    assert provider.verify_notification({**good, "status_code": "201"}) is False
    assert provider.verify_notification({**good, "gross_amount": "10000"}) is False
    assert provider.verify_notification({**good, "signature_key": KAT_201}) is False


def test_simulator_signs_notifications_with_midtrans_formula(settings, order):
    charge = SimulatedCharge.objects.get(order_ref=order.number)
    body = get_payment_provider().notification_for(charge, "settlement")
    expected = midtrans_signature(order.number, "200", f"{order.total}.00", settings.SIMULATOR_SECRET)
    assert body["signature_key"] == expected
    assert body["gross_amount"] == f"{order.total}.00"


# --- Item 1: public development keys --------------------------------------------------------


def test_notification_signed_with_the_public_dev_key_is_refused(api_client, order, product):
    response = post(api_client, notification(order, "settlement", key=PUBLIC_DEV_KEY))
    assert response.status_code == 403
    assert response.json()["meta"]["code"] == "bad_signature"
    assert status_of(order) == Order.Status.PENDING_PAYMENT
    assert not PaymentEvent.objects.exists()
    assert stock(product) == 8


def test_notification_signed_with_the_installation_secret_is_accepted(settings, api_client, order):
    assert len(settings.SIMULATOR_SECRET) >= 32 and settings.SIMULATOR_SECRET != PUBLIC_DEV_KEY
    response = post(api_client, sim_notification(order, "settlement"))
    assert response.status_code == 200, response.content
    assert response.json()["data"]["outcome"] == "paid"
    assert status_of(order) == Order.Status.PAID


def test_simulator_refused_in_production_unless_forced(settings, order):
    settings.DEBUG = False
    settings.ALLOW_SIMULATORS = False
    with pytest.raises(ImproperlyConfigured):
        get_payment_provider()
    settings.ALLOW_SIMULATORS = True
    assert get_payment_provider().name == "simulator"


def test_payment_page_offers_no_bayar_control_when_simulators_are_refused(settings, buyer, order):
    browser = Client()
    browser.force_login(buyer)
    assert 'id="simulator"' in browser.get(f"/pay/{order.pk}/").content.decode()  # the control exists
    settings.DEBUG = False
    settings.ALLOW_SIMULATORS = False
    page = browser.get(f"/pay/{order.pk}/")
    assert page.status_code == 200
    assert 'id="simulator"' not in page.content.decode()
    response = browser.post(f"/pay/{order.pk}/simulate/pay")
    assert response.status_code in (302, 404)
    assert status_of(order) == Order.Status.PENDING_PAYMENT
    assert SimulatedCharge.objects.get(order_ref=order.number).status == "pending"


# --- Item 7: trust the status, not only the signature --------------------------------------


def test_signed_pending_replayed_as_settlement_is_400_and_changes_nothing(api_client, order, product):
    leaked = sim_notification(order, "pending")  # status_code 201, validly signed
    assert post(api_client, leaked).json()["data"]["outcome"] == "pending"
    forged = {**leaked, "transaction_status": "settlement"}
    response = post(api_client, forged)
    assert response.status_code == 400
    assert response.json()["meta"]["code"] == "status_code_mismatch"
    assert status_of(order) == Order.Status.PENDING_PAYMENT
    assert order.payment.paid_at is None
    assert list(PaymentEvent.objects.values_list("transaction_status", flat=True)) == ["pending"]
    assert stock(product) == 8


def test_partial_refund_keeps_order_paid_and_flags_it(api_client, buyer, product):
    promo = make_promo(store=product.store, code="SEBAGIAN")
    order = place(buyer=buyer, product=product, quantity=2, promo_code="sebagian").order
    post(api_client, sim_notification(order, "settlement"))
    response = post(api_client, sim_notification(order, "partial_refund", refund_amount="5000.00"))
    assert response.status_code == 200, response.content
    assert response.json()["data"]["outcome"] == "partial_refund"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.needs_refund is True
    assert stock(product) == 8
    promo.refresh_from_db()
    assert promo.used_count == 1
    assert PromoRedemption.objects.get(order=order).status == PromoRedemption.Status.ACTIVE
    note = order.history.order_by("-at").first()
    assert note.from_status == note.to_status == Order.Status.PAID and note.cause_code == "partial_refund"


def test_full_refund_of_unshipped_order_returns_stock_and_promo(api_client, buyer, product):
    promo = make_promo(store=product.store, code="BALIK")
    order = place(buyer=buyer, product=product, quantity=2, promo_code="balik").order
    post(api_client, sim_notification(order, "settlement"))
    assert stock(product) == 8
    response = post(api_client, sim_notification(order, "refund"))
    assert response.json()["data"]["outcome"] == "refunded"
    assert status_of(order) == Order.Status.REFUNDED
    assert stock(product) == 10
    assert Promo.objects.get(pk=promo.pk).used_count == 0


SERVER_KEY = "SB-Mid-server-TEST-hardening"


@pytest.fixture
def midtrans(settings):
    with FakeMidtrans(SERVER_KEY) as fake:
        settings.PAYMENT_PROVIDER = ""
        settings.MIDTRANS_SERVER_KEY = SERVER_KEY
        settings.MIDTRANS_API_BASE_URL = fake.url
        settings.MIDTRANS_TIMEOUT_SECONDS = 1.0
        yield fake


@pytest.fixture
def live_order(buyer_client, product, midtrans) -> Order:
    response = buyer_client.post(ORDERS, order_body(product, 2), format="json")
    assert response.status_code == 201, response.content
    return Order.objects.get(pk=response.json()["data"]["order_id"])


def test_live_settlement_that_midtrans_says_is_pending_stays_pending(api_client, live_order, midtrans, product):
    response = post(api_client, notification(live_order, "settlement", key=SERVER_KEY))
    assert response.status_code == 200, response.content
    assert response.json()["data"]["outcome"] == "pending"
    assert status_of(live_order) == Order.Status.PENDING_PAYMENT
    assert live_order.payment.paid_at is None
    assert any(r["method"] == "GET" and r["path"] == f"/v2/{live_order.number}/status" for r in midtrans.requests)
    assert stock(product) == 8


def test_live_settlement_confirmed_by_midtrans_is_paid(api_client, live_order, midtrans):
    midtrans.transactions[live_order.number].update(transaction_status="settlement", status_code="200")
    response = post(api_client, notification(live_order, "settlement", key=SERVER_KEY))
    assert response.json()["data"]["outcome"] == "paid"
    assert status_of(live_order) == Order.Status.PAID


def test_live_status_api_failure_is_502_and_changes_nothing(api_client, live_order, midtrans):
    midtrans.transactions[live_order.number].update(transaction_status="settlement", status_code="200")
    midtrans.fail_http = 500
    response = post(api_client, notification(live_order, "settlement", key=SERVER_KEY))
    assert response.status_code == 502
    assert response.json()["meta"]["code"] == "provider_error"
    assert status_of(live_order) == Order.Status.PENDING_PAYMENT
    assert not PaymentEvent.objects.exists()
    # Midtrans retries a 5xx: once its status API answers again, the same notification applies.
    midtrans.fail_http = None
    assert post(api_client, notification(live_order, "settlement", key=SERVER_KEY)).json()["data"]["outcome"] == "paid"


def test_live_notification_signed_with_the_public_dev_key_is_refused(api_client, live_order):
    response = post(api_client, notification(live_order, "settlement", key=PUBLIC_DEV_KEY))
    assert response.status_code == 403
    assert status_of(live_order) == Order.Status.PENDING_PAYMENT


# --- Item 8: only authenticated bodies are stored -------------------------------------------

PAD = "x" * 900_000


def test_unauthenticated_900kb_notification_leaves_a_bounded_record(api_client, order):
    body = {**notification(order, "settlement", key="not-our-key"), "custom_field1": PAD}
    raw = json.dumps(body)
    response = post(api_client, raw)
    assert response.status_code == 403
    row = ProviderNotification.objects.get(provider="midtrans")
    assert row.body == "" and row.size == len(raw.encode()) and row.signature_valid is False
    assert row.headers in ({}, None)
    assert status_of(order) == Order.Status.PENDING_PAYMENT


def test_authenticated_900kb_notification_is_stored_raw(api_client, order):
    raw = json.dumps({**sim_notification(order, "settlement"), "custom_field1": PAD})
    response = post(api_client, raw)
    assert response.status_code == 200, response.content[:300]
    row = ProviderNotification.objects.get(provider="midtrans")
    assert row.body == raw and row.size == len(raw.encode()) and row.signature_valid is True
    assert status_of(order) == Order.Status.PAID


# --- Item 22: money-path rules ---------------------------------------------------------------


def test_settlement_above_the_total_is_400_and_changes_nothing(api_client, order, product):
    response = post(api_client, sim_notification(order, "settlement", gross_amount=f"{order.total + 1}.00"))
    assert response.status_code == 400
    assert response.json()["meta"]["code"] == "amount_mismatch"
    assert status_of(order) == Order.Status.PENDING_PAYMENT
    assert not PaymentEvent.objects.exists()
    assert stock(product) == 8


def test_seller_cancelling_a_processing_order_flags_refund(seller_client, paid, product):
    assert seller_client.post(f"/api/seller/orders/{paid.pk}/process").json()["data"]["status"] == "processing"
    response = seller_client.post(f"/api/seller/orders/{paid.pk}/cancel", {"reason": "stok rusak"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"] == {"id": str(paid.pk), "status": "cancelled", "needs_refund": True}
    paid.refresh_from_db()
    assert paid.status == Order.Status.CANCELLED and paid.needs_refund is True
    assert stock(product) == 10


def test_refund_of_a_shipped_order_keeps_stock_out(api_client, seller_client, paid, product):
    response = seller_client.post(f"/api/seller/orders/{paid.pk}/ship", {"awb": "JNE12345678"}, format="json")
    assert response.json()["data"]["status"] == "shipped"
    assert stock(product) == 8
    response = post(api_client, sim_notification(paid, "refund"))
    assert response.json()["data"]["outcome"] == "refunded"
    assert status_of(paid) == Order.Status.REFUNDED
    assert stock(product) == 8  # the parcel left: its units are not on the shelf


def test_seller_cannot_cancel_a_shipped_order_409(seller_client, paid):
    seller_client.post(f"/api/seller/orders/{paid.pk}/ship", {"awb": "JNE12345678"}, format="json")
    response = seller_client.post(f"/api/seller/orders/{paid.pk}/cancel", {"reason": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["meta"]["code"] == "order_not_cancellable"
    assert status_of(paid) == Order.Status.SHIPPED


def test_releasing_an_order_that_holds_no_stock_never_raises_stock(api_client, seller_client, order, product):
    assert stock(product) == 8
    # Its reservation already went back (expiry, a released retake): it holds nothing now.
    Order.objects.filter(pk=order.pk).update(stock_held=False)
    Product.objects.filter(pk=product.pk).update(stock=10)
    response = seller_client.post(f"/api/seller/orders/{order.pk}/cancel", {"reason": "x"}, format="json")
    assert response.json()["data"]["status"] == "cancelled"
    assert stock(product) == 10


def test_expiry_then_late_failure_notifications_return_stock_once(api_client, order, product):
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    assert orders_expire_overdue() == 1
    assert stock(product) == 10
    for status, code in (("expire", "407"), ("cancel", "200"), ("deny", "202")):
        post(api_client, sim_notification(order, status, status_code=code))
    assert orders_expire_overdue() == 0
    assert stock(product) == 10


def test_unpaid_order_seconds_past_the_window_is_expired(settings, buyer, product):
    late = place(buyer=buyer, product=product).order
    early = place(buyer=buyer, product=product).order
    window = timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES)
    Order.objects.filter(pk=late.pk).update(created_at=timezone.now() - window - timedelta(seconds=2))
    Order.objects.filter(pk=early.pk).update(created_at=timezone.now() - window + timedelta(seconds=5))
    assert orders_expire_overdue() == 1
    assert status_of(late) == Order.Status.EXPIRED
    assert status_of(early) == Order.Status.PENDING_PAYMENT


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/buyer/cart"),
        ("post", "/api/buyer/cart"),
        ("get", "/api/buyer/orders"),
        ("post", "/api/buyer/orders"),
        ("get", "/api/buyer/orders/{order}"),
        ("get", "/api/buyer/orders/{order}/track"),
    ],
)
def test_admin_calling_buyer_routes_is_403(admin_client_api, order, method, path):
    response = getattr(admin_client_api, method)(path.format(order=order.pk), {}, format="json")
    assert response.status_code == 403
    assert response.json()["meta"]["code"] == "permission_denied"
