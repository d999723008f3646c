"""Issue 11 in real Chromium at 360×780: the checkout destination picker and the courier error
where the buyer looks; "Pesanan diterima", "Beli lagi" and logout from the header menu."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from orders.causes import Cause
from orders.models import Order
from orders.services import order_transition
from orders.tests.factories import place
from storefront.tests.factories import add_product
from tokoblitar.testing.browser import login_in_browser

pytestmark = [pytest.mark.browser]

SMALL_PHONE = {"width": 360, "height": 780}


@pytest.fixture
def phone(browser, asgi_server):
    context = browser.new_context(viewport=SMALL_PHONE, base_url=asgi_server.url, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= SMALL_PHONE["width"]


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= SMALL_PHONE["height"]


def test_checkout_destination_picker_and_courier_error(phone, shoot):
    seller = make_user("seller", full_name="Bu Sri")
    product = add_product(seller.store, name="Sambal Pecel Khas Blitar", price=25_000)
    buyer = make_user("buyer", email="siti@contoh.id", full_name="Siti Aminah")
    login_in_browser(phone, buyer.email, PASSWORD)
    phone.goto(f"/p/{seller.store.slug}/{product.slug}/")
    phone.get_by_test_id("add-to-cart").click()
    phone.get_by_test_id("checkout").click()
    expect(phone).to_have_url(re.compile(r"/checkout/\?store="))
    phone.get_by_label("Nomor HP", exact=True).fill("081234567890")
    phone.get_by_label("Alamat lengkap", exact=True).fill("Jl. Merdeka No. 12, RT 02 RW 03")

    # Province → city narrows the district list.
    district = phone.get_by_label("Kecamatan", exact=True)
    phone.get_by_label("Provinsi").select_option("Jawa Timur")
    phone.get_by_label("Kota/Kabupaten").select_option("Kota Blitar")
    expect(district.locator("option:not([value=''])")).to_have_count(3)
    shoot(phone, "1-province-city")
    # A search as people type it: spaces and case do not matter; one match is picked.
    phone.get_by_label("Cari kecamatan atau kota").fill("sanan wetan")
    expect(district).to_have_value("357203")
    options = phone.get_by_test_id("courier-option")
    expect(options.first).to_be_visible()
    expect(phone.get_by_test_id("courier-name").first).to_be_visible()
    names = phone.get_by_test_id("courier-name").all_inner_texts()
    assert {"J&T Express", "SiCepat", "AnterAja", "JNE", "Pos Indonesia"} <= set(names), names
    for estimate in phone.get_by_test_id("courier-etd").all_inner_texts():
        assert re.fullmatch(r"Estimasi \d+(–\d+)? hari", estimate), estimate
    _no_sideways_scroll(phone)
    shoot(phone, "2-district-found-couriers")

    # Ordering without a courier: the error sits by the courier list, which is on screen and focused.
    phone.get_by_test_id("place-order").click()
    error = phone.get_by_test_id("courier-error")
    expect(error).to_have_text("Pilih kurir dulu.")
    first = phone.locator("input[name=courier]").first
    expect(first).to_be_focused()
    assert _in_view(phone, first), "the courier list is not on screen"
    assert not Order.objects.exists()
    shoot(phone, "3-courier-error-in-view")
    # Choosing a courier clears it.
    phone.get_by_test_id("courier-option").nth(1).click()
    expect(error).to_have_count(0)
    expect(phone.get_by_test_id("total")).not_to_have_text("Rp 25.000")
    shoot(phone, "4-courier-chosen")
    phone.get_by_test_id("place-order").click()
    expect(phone).to_have_url(re.compile(r"/pay/[0-9a-f-]+/$"))
    order = Order.objects.get(buyer=buyer)
    assert order.shipping_address["district"] == "Sananwetan"


def test_confirm_receipt_buy_again_and_logout_from_the_header(phone, shoot):
    seller = make_user("seller", full_name="Bu Sri")
    product = add_product(seller.store, name="Kerupuk Rambak", price=12_000, stock=10)
    buyer = make_user("buyer", email="dewi@contoh.id", full_name="Dewi")
    order = place(buyer=buyer, product=product, quantity=2).order
    order = order_transition(order=order, to=Order.Status.PAID, cause=Cause("test"))
    order = order_transition(order=order, to=Order.Status.SHIPPED, cause=Cause("test"))
    login_in_browser(phone, buyer.email, PASSWORD)

    phone.goto("/pesanan/?status=dikirim")
    expect(phone.get_by_test_id("order-row")).to_have_count(1)
    _no_sideways_scroll(phone)
    shoot(phone, "1-tab-dikirim")
    phone.get_by_test_id("order-row").click()
    expect(phone.get_by_test_id("order-status")).to_have_text("Dikirim")
    shoot(phone, "2-shipped")
    phone.get_by_test_id("confirm-received").click()
    expect(phone.get_by_test_id("order-status")).to_have_text("Selesai")
    expect(phone.get_by_text("Terima kasih! Pesanan selesai.")).to_be_visible()
    expect(phone.get_by_test_id("confirm-received")).to_have_count(0)
    shoot(phone, "3-completed")

    phone.get_by_test_id("buy-again").click()
    expect(phone).to_have_url(re.compile(r"/keranjang/$"))
    expect(phone.get_by_text("Dimasukkan ke keranjang: Kerupuk Rambak")).to_be_visible()
    expect(phone.get_by_test_id("cart-subtotal")).to_have_text("Rp 24.000")
    _no_sideways_scroll(phone)
    shoot(phone, "4-bought-again")

    phone.goto(f"/pesanan/{order.pk}/struk/")
    expect(phone.get_by_test_id("receipt")).to_be_visible()
    shoot(phone, "5-receipt")

    # Logout from the header on a phone: the account menu, one tap away.
    menu = phone.get_by_test_id("account-menu")
    expect(menu).to_be_visible()
    menu.locator("summary").click()
    logout = phone.get_by_test_id("header-logout")
    expect(logout).to_be_visible()
    assert _in_view(phone, logout)
    _no_sideways_scroll(phone)
    shoot(phone, "6-account-menu")
    logout.click()
    expect(phone.get_by_text("Anda sudah keluar.")).to_be_visible()
    expect(phone.get_by_test_id("account-menu")).to_have_count(0)
