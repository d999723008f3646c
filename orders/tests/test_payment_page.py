"""Payment page and the simulator end to end: its signed notification crosses real HTTP to our webhook."""

from __future__ import annotations

import pytest
from django.test import Client

from orders.models import Order, SimulatedCharge
from orders.payments import get_payment_provider
from orders.payments.simulator import _crc16_ccitt
from orders.tests.factories import place, quick_user
from webhooks.models import ProviderNotification


@pytest.fixture
def browser(buyer) -> Client:
    client = Client()
    client.force_login(buyer)
    return client


@pytest.mark.django_db
def test_page_shows_qr_amount_and_simulator_buttons(browser, buyer, product):
    order = place(buyer=buyer, product=product).order
    response = browser.get(f"/pay/{order.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    total = f"Rp\xa0{order.total:,}".replace(",", ".")
    assert total in html and "Rp\xa025.000" in html
    assert "Bayar" in html and "Kedaluwarsa" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f"/ws/orders/{order.pk}/" in html


@pytest.mark.django_db
def test_page_and_status_are_owner_only(buyer, product):
    order = place(buyer=buyer, product=product).order
    stranger = Client()
    stranger.force_login(quick_user())
    assert stranger.get(f"/pay/{order.pk}/").status_code == 404
    assert stranger.get(f"/pay/{order.pk}/status").status_code == 404
    assert stranger.post(f"/pay/{order.pk}/simulate/pay").status_code == 404
    assert Client().get(f"/pay/{order.pk}/").status_code == 302  # to the login page


@pytest.mark.django_db
def test_status_endpoint(browser, buyer, product):
    order = place(buyer=buyer, product=product).order
    data = browser.get(f"/pay/{order.pk}/status").json()
    assert data["status"] == "pending_payment" and data["is_paid"] is False


@pytest.mark.django_db
def test_simulator_buttons_need_csrf(buyer, product):
    order = place(buyer=buyer, product=product).order
    client = Client(enforce_csrf_checks=True)
    client.force_login(buyer)
    assert client.post(f"/pay/{order.pk}/simulate/pay").status_code == 403
    assert SimulatedCharge.objects.get(order_ref=order.number).status == "pending"


@pytest.mark.django_db
def test_simulator_qr_is_emv_shaped_with_valid_crc(buyer, product):
    order = place(buyer=buyer, product=product).order
    qr = order.payment.qr_string
    assert qr.startswith("000201010212")
    assert f"54{len(str(order.total)):02d}{order.total}" in qr
    assert qr[-4:] == _crc16_ccitt(qr[:-4])


@pytest.mark.django_db(transaction=True)
def test_bayar_button_pays_through_the_real_webhook(live_server, settings, buyer, product):
    settings.SITE_URL = live_server.url
    order = place(buyer=buyer, product=product, quantity=2).order
    browser = Client()
    browser.force_login(buyer)
    response = browser.post(f"/pay/{order.pk}/simulate/pay", follow=True)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    log = ProviderNotification.objects.get()
    assert log.signature_valid is True and log.outcome == "paid" and log.event == "settlement"
    assert browser.get(f"/pay/{order.pk}/status").json()["is_paid"] is True
    # Paying again re-delivers the same notification; the webhook applies it once.
    get_payment_provider().pay(order.number)
    assert ProviderNotification.objects.filter(outcome="duplicate").count() == 1
    product.refresh_from_db()
    assert product.stock == 8


@pytest.mark.django_db(transaction=True)
def test_kedaluwarsa_button_expires_and_releases(live_server, settings, buyer, product):
    settings.SITE_URL = live_server.url
    order = place(buyer=buyer, product=product, quantity=4).order
    browser = Client()
    browser.force_login(buyer)
    browser.post(f"/pay/{order.pk}/simulate/expire")
    order.refresh_from_db()
    product.refresh_from_db()
    assert order.status == Order.Status.EXPIRED and product.stock == 10
    # An expired QR cannot be paid any more (the simulator follows Midtrans' rules).
    response = browser.post(f"/pay/{order.pk}/simulate/pay", follow=True)
    assert "already expire" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED


@pytest.mark.django_db(transaction=True)
def test_simulator_signs_with_the_configured_server_key(live_server, settings, buyer, product):
    settings.SITE_URL = live_server.url
    settings.MIDTRANS_SERVER_KEY = "SB-Mid-server-configured"
    settings.PAYMENT_PROVIDER = "simulator"
    order = place(buyer=buyer, product=product).order
    get_payment_provider().pay(order.number)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
