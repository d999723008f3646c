"""Seller in real Chromium: add a product with a photo, see it on the store subdomain, ship an order."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from catalog.models import Product
from conftest import PASSWORD, make_user
from orders.models import Order
from orders.services import payment_notification_apply
from orders.tests.factories import place, signed_notification
from storefront.tests.factories import add_product
from tokoblitar.testing.browser import login_in_browser

pytestmark = [pytest.mark.browser]


def test_seller_adds_product_sees_it_on_subdomain_and_ships_order(page, shoot, asgi_server, tmp_path):
    seller = make_user("seller", email="sri@contoh.id", full_name="Sri Wahyuni")
    store = seller.store
    existing = add_product(store, name="Keripik Tempe Original", price=15_000, stock=20)
    buyer = make_user("buyer", full_name="Budi Santoso")
    placed = place(buyer=buyer, product=existing, quantity=2)
    payment_notification_apply(notification=signed_notification(placed.order, "settlement"))
    placed.order.refresh_from_db()
    assert placed.order.status == Order.Status.PAID

    photo = tmp_path / "wingko.png"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 640), (222, 184, 135)).save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())

    login_in_browser(page, seller.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_test_id("orders-today")).to_have_text("1")
    shoot(page, "1-overview")

    # A new product with a photo.
    page.get_by_test_id("new-product").first.click()
    page.get_by_label("Nama produk").fill("Wingko Babat Kelapa Muda")
    page.get_by_label("Deskripsi").fill("Wingko lembut isi kelapa muda, 10 buah per kotak.")
    page.get_by_label("Harga (Rp)").fill("32000")
    page.get_by_label("Stok").fill("15")
    page.get_by_label("Berat (gram)").fill("400")
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Foto produk").set_input_files(str(photo))
    shoot(page, "2-new-product-form")
    page.get_by_test_id("save-product").click()
    expect(page.get_by_test_id("seller-product").filter(has_text="Wingko Babat Kelapa Muda")).to_be_visible()
    shoot(page, "3-products")
    product = Product.objects.get(store=store, name="Wingko Babat Kelapa Muda")
    assert product.price == 32_000 and product.images.count() == 1

    # The storefront by subdomain shows it with its photo.
    page.goto(asgi_server.store_url(store.slug))
    expect(page.get_by_test_id("store-name")).to_have_text(store.name)
    card = page.get_by_test_id("product-card").filter(has_text="Wingko Babat Kelapa Muda")
    expect(card).to_be_visible()
    expect(card.get_by_text("Rp 32.000")).to_be_visible()
    expect(card.locator("img")).to_have_attribute("src", re.compile(r"^/media/products/"))
    assert card.locator("img").evaluate("img => img.naturalWidth") > 0
    shoot(page, "4-store-subdomain")
    # (The server runs with DEBUG on, so the styled 404 itself is checked in test_pages.)
    assert page.goto(asgi_server.store_url("toko-yang-tidak-ada")).status == 404

    # The buyer's order: process, then ship with an AWB.
    page.goto("/dashboard/pesanan/")
    row = page.get_by_test_id("seller-order").filter(has_text=placed.order.number)
    expect(row).to_contain_text("Budi Santoso")
    shoot(page, "6-orders")
    row.get_by_role("link").click()
    page.get_by_test_id("process-order").click()
    expect(page.get_by_test_id("seller-order-status")).to_have_text("Diproses")
    page.get_by_label("Nomor resi").fill("JNE0012345678")
    page.get_by_test_id("ship-order").click()
    expect(page.get_by_test_id("seller-order-status")).to_have_text("Dikirim")
    expect(page.get_by_test_id("seller-awb")).to_have_text("JNE0012345678")
    shoot(page, "7-shipped")
    placed.order.refresh_from_db()
    assert placed.order.status == Order.Status.SHIPPED
