"""Real Chromium at 360×780: a seller with a paid order asks to delete her account and is shown
which order to finish first."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from orders.models import Order
from orders.tests.factories import ADDRESS, make_product
from tokoblitar.testing.browser import login_in_browser

pytestmark = [pytest.mark.browser]


def test_seller_with_a_paid_order_sees_what_to_finish(browser, asgi_server, shoot):
    from checkout.services import order_place

    seller = make_user("seller", email="sri@contoh.id", full_name="Bu Sri")
    buyer = make_user("buyer", email="siti@contoh.id", full_name="Siti Aminah")
    product = make_product(store=seller.store)
    order = order_place(
        buyer=buyer,
        store_id=product.store_id,
        items=[{"product_id": product.pk, "quantity": 1}],
        shipping_address={**ADDRESS, "district_id": 357203},
        courier="jne",
    ).order
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PAID)

    context = browser.new_context(viewport={"width": 360, "height": 780}, base_url=asgi_server.url, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login_in_browser(page, "sri@contoh.id", PASSWORD)
        page.goto("/akun/hapus/")
        page.get_by_label("Kata sandi Anda").fill(PASSWORD)
        page.get_by_test_id("account-delete-submit").click()
        blocked = page.get_by_test_id("delete-blocked")
        expect(blocked).to_be_visible()
        expect(blocked.get_by_role("link", name=order.number)).to_be_visible()
        shoot(page, "blocked")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
    seller.refresh_from_db()
    assert seller.is_active
