"""Real Chromium at a phone viewport against daphne: what a buyer sees and clicks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from orders.models import Order
from orders.tests.factories import make_promo
from storefront.tests.factories import add_product

pytestmark = [pytest.mark.browser]


def test_language_switch_turns_home_english_and_back(page, shoot):
    seller = make_user("seller", full_name="Bu Sri")
    add_product(seller.store, name="Keripik Tempe Bu Sri", price=15_000)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("link", name=re.compile("Keranjang"))).to_be_visible()
    shoot(page, "1-indonesian")

    page.get_by_label("Bahasa").select_option("en")
    page.get_by_test_id("language-submit").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name=re.compile("^Cart"))).to_be_visible()
    expect(page.get_by_text("Shop directly from the stores of Blitar")).to_be_visible()
    expect(page.get_by_text("Rp 15.000")).to_be_visible()
    shoot(page, "2-english")

    page.get_by_label("Language").select_option("id")
    page.get_by_test_id("language-submit").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_text("Belanja langsung dari toko-toko Blitar")).to_be_visible()
    shoot(page, "3-back-to-indonesian")


ADDRESS = {
    "Nama penerima": "Siti Aminah",
    "Nomor HP": "081234567890",
    "Alamat lengkap": "Jl. Merdeka No. 12, RT 02 RW 03",
}


def _wait_for(predicate, *, timeout: float = 30.0, what: str = "condition"):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_buyer_searches_buys_pays_and_tracks_live(page, shoot, task_worker):
    from shipping.models import Shipment
    from shipping.services import shipment_advance

    seller = make_user("seller", full_name="Bu Sri")
    store = seller.store
    add_product(store, name="Sambal Pecel Khas Blitar", price=25_000, stock=10, description="Pedas manis, 250 g.")
    add_product(store, name="Kerupuk Rambak", price=12_000)
    make_promo(store=store, code="HEMAT10")
    buyer = make_user("buyer", email="siti@contoh.id", full_name="Siti Aminah")

    # Search with a typo.
    page.goto("/")
    page.get_by_label("Cari produk").fill("sambel pecal")
    page.get_by_label("Cari produk").press("Enter")
    card = page.get_by_test_id("product-card").filter(has_text="Sambal Pecel Khas Blitar")
    expect(card).to_be_visible()
    shoot(page, "1-search-typo")

    # Product page: two to the cart.
    card.click()
    expect(page.get_by_test_id("product-name")).to_have_text("Sambal Pecel Khas Blitar")
    expect(page.get_by_test_id("product-price")).to_have_text("Rp 25.000")
    shoot(page, "2-product")
    page.get_by_label("Jumlah").fill("2")
    page.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-subtotal")).to_have_text("Rp 50.000")
    shoot(page, "3-cart")

    # Checkout asks for a login and comes back to the checkout.
    page.get_by_test_id("checkout").click()
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    page.get_by_label("Email").fill(buyer.email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(re.compile(r"/checkout/\?store="))
    page.wait_for_load_state("load")

    for label, value in ADDRESS.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Kecamatan", exact=True).select_option(label="Sananwetan")
    page.get_by_test_id("check-rates").click()
    options = page.get_by_test_id("courier-option")
    expect(options.first).to_be_visible()
    options.first.click()
    expect(page.get_by_test_id("total")).not_to_have_text("Rp 50.000")
    page.get_by_label("Kode promo").fill("hemat10")
    page.get_by_test_id("apply-promo").click()
    expect(page.get_by_test_id("discount")).to_have_text("− Rp 5.000")
    shoot(page, "4-checkout")
    page.get_by_test_id("place-order").click()

    # Payment page; the buyer pays from another tab (their e-wallet) and this one updates live.
    expect(page).to_have_url(re.compile(r"/pay/[0-9a-f-]+/$"))
    order = Order.objects.get(buyer=buyer)
    assert order.discount == 5_000 and order.subtotal == 50_000
    expect(page.get_by_test_id("amount")).to_be_visible()
    shoot(page, "5-payment")
    # The buyer watches the order page in one tab and pays from another (their e-wallet).
    page.evaluate("window.__samePage = 'pay'")
    tracking = page.context.new_page()
    tracking.goto(f"/pesanan/{order.pk}/")
    expect(tracking.get_by_test_id("order-status")).to_have_text("Menunggu pembayaran")
    expect(tracking.locator("#tracking")).to_have_attribute("data-live", "1")
    tracking.evaluate("window.__samePage = 'tracking'")
    wallet = page.context.new_page()
    wallet.goto(f"/pay/{order.pk}/")
    wallet.get_by_role("button", name="Bayar", exact=True).click()
    # Let the wallet's own page finish (it turns "paid" live) before closing it: closing a tab
    # mid-navigation once hung Playwright's close() for minutes on a loaded CI machine.
    expect(wallet.locator("#pay-status")).to_have_attribute("data-state", "paid", timeout=40_000)
    wallet.close()
    expect(tracking.get_by_test_id("order-status")).to_have_text("Dibayar", timeout=40_000)
    assert tracking.evaluate("window.__samePage") == "tracking"  # updated live, not reloaded
    shoot(tracking, "6-paid-live-order-page")
    expect(page.locator("#pay-status")).to_have_attribute("data-state", "paid", timeout=40_000)
    expect(page.locator("#pay-status-label")).to_have_text("Dibayar")
    assert page.evaluate("window.__samePage") == "pay"
    shoot(page, "6-paid-live-payment-page")
    tracking.close()
    task_worker()  # now let the shipment be booked

    # Tracking page: courier booked by the worker, then events arrive over the socket.
    page.goto(f"/pesanan/{order.pk}/")
    _wait_for(
        lambda: Shipment.objects.filter(order=order, status=Shipment.Status.BOOKED).exists(),
        what="the shipment to be booked",
    )
    expect(page.get_by_test_id("shipment-status")).to_have_text("Kurir dipesan", timeout=40_000)
    expect(page.locator("#tracking")).to_have_attribute("data-live", "1")
    page.evaluate("window.__samePage = 'tracking'")
    shoot(page, "7-tracking-booked")
    before = page.get_by_test_id("tracking-event").count()
    shipment_advance(order=order)
    expect(page.get_by_test_id("tracking-event")).to_have_count(before + 1, timeout=40_000)
    shipment_advance(order=order)
    expect(page.get_by_test_id("tracking-event")).to_have_count(before + 2, timeout=40_000)
    assert page.evaluate("window.__samePage") == "tracking"  # live, not reloaded
    awb = Shipment.objects.get(order=order).awb
    assert awb
    expect(page.get_by_test_id("awb")).to_have_text(awb)
    shoot(page, "8-tracking-events")
