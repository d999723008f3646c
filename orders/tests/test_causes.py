"""Issue 11 item 3: order-history causes read in the reader's language.

A history row keeps a cause code and its parameters; the seller's order page, the buyer's API
and the admin render it per language, so an Indonesian page never shows "shipped by seller"."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from conftest import PASSWORD, client_for
from orders.causes import ACTORS, COURIER_UPDATES, MESSAGES, PAYMENT_STATUSES, Cause
from orders.models import Order, OrderStatusChange
from orders.services import order_cancel, order_ship, order_transition
from orders.tests.factories import make_product, place
from storefront.tests.test_one_language import english_leaks


def test_every_cause_and_coded_parameter_has_an_indonesian_sentence():
    same_in_both = {"courier_update"}  # "%(provider)s: %(update)s": only its parameters are words
    for table in (MESSAGES, PAYMENT_STATUSES, ACTORS, COURIER_UPDATES):
        for code, message in table.items():
            with translation.override("en"):
                english = str(message)
            with translation.override("id"):
                indonesian = str(message)
            assert code in same_in_both or english != indonesian, code


def test_cause_renders_per_language_and_keeps_typed_text_as_typed():
    cause = Cause("cancelled", {"by": "seller", "reason": "stok habis"})
    with translation.override("id"):
        assert cause.text() == "Dibatalkan oleh penjual: stok habis"
    assert cause.english() == "Cancelled by the seller: stok habis"
    update = Cause("courier_update", {"provider": "KiriminAja", "update": "shipped_packages"})
    with translation.override("id"):
        assert update.text() == "KiriminAja: paket dalam perjalanan"
    with translation.override("en"):
        assert update.text() == "KiriminAja: parcel on its way"


@pytest.mark.django_db
def test_rows_from_before_cause_codes_show_their_stored_text(buyer, seller):
    order = place(buyer=buyer, product=make_product(store=seller.store)).order
    old = OrderStatusChange.objects.create(order=order, from_status="", to_status="paid", cause="payment settlement")
    with translation.override("id"):
        assert old.cause_text == "payment settlement"


@pytest.mark.django_db
def test_seller_order_page_history_speaks_the_page_language(client, buyer, seller):
    order = place(buyer=buyer, product=make_product(store=seller.store)).order
    order = order_transition(
        order=order, to=Order.Status.PAID, cause=Cause("payment_received", {"status": "settlement"})
    )
    order_ship(order=order, awb="JP1234567890")
    assert client.login(email=seller.email, password=PASSWORD)

    html = client.get(f"/dashboard/pesanan/{order.pk}/").content.decode()
    for sentence in ("Pesanan dibuat", "Pembayaran diterima (lunas)", "Dikirim oleh penjual, resi JP1234567890"):
        assert sentence in html
    assert "Shipped by" not in html and english_leaks(html) == []

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/dashboard/pesanan/{order.pk}/").content.decode()
    assert "Shipped by the seller, AWB JP1234567890" in html and "Payment received (settlement)" in html


@pytest.mark.django_db
def test_buyer_api_history_has_a_code_and_a_sentence_in_the_asked_language(buyer, seller):
    order = place(buyer=buyer, product=make_product(store=seller.store)).order
    order_cancel(order=order, reason="alamat salah", by="seller")
    api = client_for(buyer)

    history = api.get(f"/api/buyer/orders/{order.pk}").json()["data"]["history"]
    assert [(h["to"], h["cause_code"]) for h in history] == [
        ("pending_payment", "order_placed"),
        ("cancelled", "cancelled"),
    ]
    assert history[-1]["cause"] == "Cancelled by the seller: alamat salah"

    history = api.get(f"/api/buyer/orders/{order.pk}", HTTP_ACCEPT_LANGUAGE="id").json()["data"]["history"]
    assert [h["cause"] for h in history] == ["Pesanan dibuat", "Dibatalkan oleh penjual: alamat salah"]
