"""POST /api/webhooks/midtrans: signature, amount, idempotency, out-of-order, audit log."""

from __future__ import annotations

import json

import pytest

from catalog.models import Product
from orders.models import Order, PaymentEvent
from orders.payments.base import notification_signature
from orders.services import order_expire
from orders.tests.factories import active_payment_key, make_promo, place, quick_user, signed_notification
from promos.models import Promo, PromoRedemption
from webhooks.models import ProviderNotification

URL = "/api/webhooks/midtrans"
pytestmark = pytest.mark.django_db


def post(client, body: dict | str):
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post(URL, data=raw, content_type="application/json")


@pytest.fixture
def order(buyer, product) -> Order:
    return place(buyer=buyer, product=product, quantity=2).order


def stock(product: Product) -> int:
    product.refresh_from_db()
    return product.stock


def test_settlement_marks_paid_and_keeps_stock_final(api_client, order, product):
    assert stock(product) == 8
    response = post(api_client, signed_notification(order, "settlement"))
    assert response.status_code == 200, response.content
    assert response.json()["data"] == {"outcome": "paid"}
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.payment.status == "settlement" and order.payment.paid_at is not None
    assert stock(product) == 8
    assert list(order.history.values_list("to_status", flat=True)) == ["pending_payment", "paid"]
    log = ProviderNotification.objects.get()
    assert log.signature_valid is True and log.outcome == "paid" and log.reference == order.number
    assert json.loads(log.body)["transaction_status"] == "settlement"


def test_capture_accept_is_paid_but_challenge_waits(api_client, order):
    response = post(api_client, signed_notification(order, "capture", fraud_status="challenge"))
    assert response.json()["data"]["outcome"] == "ignored"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    response = post(api_client, signed_notification(order, "capture", fraud_status="accept"))
    assert response.json()["data"]["outcome"] == "paid"


def test_bad_signature_is_403_stored_and_changes_nothing(api_client, order, product):
    body = signed_notification(order, "settlement")
    body["signature_key"] = "0" * 128
    response = post(api_client, body)
    assert response.status_code == 403
    assert response.json()["error"] == "Invalid signature"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    log = ProviderNotification.objects.get()
    assert log.signature_valid is False and log.outcome == "bad_signature" and log.http_status == 403


def test_signature_with_another_key_is_rejected(api_client, order, settings):
    body = signed_notification(order, "settlement")  # signed with the dev key
    settings.MIDTRANS_SERVER_KEY = "SB-Mid-server-another-key"
    assert post(api_client, body).status_code == 403


def test_tampered_status_breaks_the_signature(api_client, order):
    body = signed_notification(order, "expire")
    body["status_code"] = "200"
    assert post(api_client, body).status_code == 403


def test_missing_signature_is_403(api_client, order):
    body = signed_notification(order, "settlement")
    del body["signature_key"]
    assert post(api_client, body).status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def test_malformed_body_is_400_and_recorded_without_body(api_client):
    # Unauthenticated input is never stored whole (issue 9 item 8): a bounded record only.
    response = post(api_client, "{not json")
    assert response.status_code == 400
    log = ProviderNotification.objects.get()
    assert log.outcome == "malformed" and log.body == "" and log.size == len("{not json")


def test_amount_mismatch_is_400_and_changes_nothing(api_client, order):
    body = signed_notification(order, "settlement", gross_amount="1000.00")  # validly signed, wrong amount
    response = post(api_client, body)
    assert response.status_code == 400
    assert "does not match" in response.json()["error"]
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert not PaymentEvent.objects.exists()
    assert ProviderNotification.objects.get().outcome == "amount_mismatch"


def test_unknown_order_is_404(api_client, order):
    body = {**signed_notification(order, "settlement"), "order_id": "TB-19990101-NOPE00"}
    body["signature_key"] = notification_signature(
        order_id=body["order_id"],
        status_code=body["status_code"],
        gross_amount=body["gross_amount"],
        key=active_payment_key(),
    )
    response = post(api_client, body)
    assert response.status_code == 404
    assert ProviderNotification.objects.get().outcome == "unknown_order"


def test_replay_applies_once(api_client, order, product):
    body = signed_notification(order, "settlement")
    assert post(api_client, body).json()["data"]["outcome"] == "paid"
    second = post(api_client, body)
    assert second.status_code == 200
    assert second.json()["data"]["outcome"] == "duplicate"
    order.refresh_from_db()
    assert order.history.filter(to_status="paid").count() == 1
    assert stock(product) == 8
    assert ProviderNotification.objects.count() == 2


def test_expire_releases_stock_and_promo_once(api_client, buyer, product):
    promo = make_promo(store=product.store, code="HEMAT10")
    order = place(buyer=buyer, product=product, quantity=3, promo_code="hemat10").order
    promo.refresh_from_db()
    assert promo.used_count == 1 and stock(product) == 7
    body = signed_notification(order, "expire")
    assert post(api_client, body).json()["data"]["outcome"] == "released"
    assert post(api_client, body).json()["data"]["outcome"] == "duplicate"
    # A cancel after the expiry is a different key but must not release again.
    assert post(api_client, signed_notification(order, "cancel")).json()["data"]["outcome"] == "ignored"
    order.refresh_from_db()
    promo.refresh_from_db()
    assert order.status == Order.Status.EXPIRED
    assert stock(product) == 10
    assert promo.used_count == 0
    assert PromoRedemption.objects.get(order=order).status == "released"


@pytest.mark.parametrize("status", ["deny", "cancel", "failure"])
def test_failed_payments_cancel_and_release(api_client, order, product, status):
    assert post(api_client, signed_notification(order, status)).json()["data"]["outcome"] == "released"
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert stock(product) == 10


def test_pending_after_settlement_is_ignored(api_client, order):
    post(api_client, signed_notification(order, "settlement"))
    assert post(api_client, signed_notification(order, "pending")).json()["data"]["outcome"] == "ignored"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.payment.status == "settlement"


def test_expire_after_settlement_is_ignored(api_client, order, product):
    post(api_client, signed_notification(order, "settlement"))
    assert post(api_client, signed_notification(order, "expire")).json()["data"]["outcome"] == "ignored"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert stock(product) == 8


def test_settlement_after_expire_re_reserves_when_stock_allows(api_client, order, product):
    assert post(api_client, signed_notification(order, "expire")).json()["data"]["outcome"] == "released"
    assert stock(product) == 10
    assert post(api_client, signed_notification(order, "settlement")).json()["data"]["outcome"] == "paid_late"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and not order.needs_refund
    assert stock(product) == 8
    assert order.history.last().cause_code == "late_payment_restocked"


def test_settlement_after_expire_without_stock_flags_refund(api_client, order, product):
    post(api_client, signed_notification(order, "expire"))
    Product.objects.filter(pk=product.pk).update(stock=1)  # someone bought the rest meanwhile
    assert post(api_client, signed_notification(order, "settlement")).json()["data"]["outcome"] == "needs_refund"
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED and order.needs_refund
    assert stock(product) == 1  # never negative, untouched
    # The refund itself then closes the order.
    assert post(api_client, signed_notification(order, "refund")).json()["data"]["outcome"] == "refunded"
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED and not order.needs_refund


def test_settlement_after_expiry_task_re_reserves(api_client, order, product):
    from datetime import timedelta

    from django.utils import timezone

    assert order_expire(order_id=order.pk, now=timezone.now() + timedelta(minutes=16))
    assert stock(product) == 10
    assert post(api_client, signed_notification(order, "settlement")).json()["data"]["outcome"] == "paid_late"
    assert stock(product) == 8


def test_late_settlement_reclaims_promo_use(api_client, buyer, product):
    promo = make_promo(store=product.store, code="LIMIT1", usage_limit=1)
    order = place(buyer=buyer, product=product, promo_code="limit1").order
    post(api_client, signed_notification(order, "expire"))
    promo.refresh_from_db()
    assert promo.used_count == 0
    post(api_client, signed_notification(order, "settlement"))
    promo.refresh_from_db()
    assert promo.used_count == 1
    assert PromoRedemption.objects.get(order=order).status == "active"


def test_refund_of_paid_order_returns_stock(api_client, order, product):
    post(api_client, signed_notification(order, "settlement"))
    assert post(api_client, signed_notification(order, "refund")).json()["data"]["outcome"] == "refunded"
    order.refresh_from_db()
    assert order.status == Order.Status.REFUNDED
    assert stock(product) == 10


def test_refund_for_unpaid_order_is_ignored(api_client, order):
    assert post(api_client, signed_notification(order, "refund")).json()["data"]["outcome"] == "ignored"
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT


def test_settlement_for_order_cancelled_by_seller_flags_refund(api_client, order, product):
    from orders.services import order_cancel

    order_cancel(order=order, reason="stok rusak")
    assert stock(product) == 10
    assert post(api_client, signed_notification(order, "settlement")).json()["data"]["outcome"] == "needs_refund"
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and order.needs_refund
    assert stock(product) == 10


def test_platform_promo_counts(api_client, product):
    promo = make_promo(store=None, code="BLITARHEBAT", type=Promo.Type.FIXED, value=5_000)
    buyer = quick_user()
    order = place(buyer=buyer, product=product, promo_code="BlitarHebat").order
    assert order.discount == 5_000
    post(api_client, signed_notification(order, "settlement"))
    promo.refresh_from_db()
    assert promo.used_count == 1
