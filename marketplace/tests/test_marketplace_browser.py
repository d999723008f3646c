"""A seller on a 360×780 phone connects Shopee through the simulator's consent page, syncs,
a simulated Shopee buyer orders, and the stock drops in TokoBLITAR."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from catalog.models import Product
from conftest import PASSWORD, make_user
from marketplace.models import ChannelOrder, MarketplaceConnection, MarketplaceListing
from marketplace.tests.helpers import product_with_image
from stores.models import StoreFeatureFlags
from tokoblitar.testing.browser import login_in_browser

pytestmark = [pytest.mark.browser]

# How far the page's own content sticks out of <main> (0 = nothing wider than the column).
WIDEST_IN_MAIN = (
    "Math.max(0, ...[...document.querySelectorAll('main section *')].map("
    "e => e.getBoundingClientRect().right - document.querySelector('main').getBoundingClientRect().right))"
)


def test_connect_sync_and_simulated_order_drop_stock(page, shoot):
    seller = make_user("seller", full_name="Sri Wahyuni")
    StoreFeatureFlags.objects.update_or_create(store=seller.store, defaults={"marketplace_sync": True})
    product = product_with_image(seller.store, stock=3, name="Sambal Pecel Bu Sri")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login_in_browser(page, seller.email, PASSWORD)

    page.goto("/dashboard/marketplace/")
    shopee = page.get_by_test_id("connection-shopee")
    expect(shopee.get_by_test_id("state")).to_have_text("Belum terhubung")
    shoot(page, "1-not-connected")
    # The page's own content fits its column (the shared top bar is the layout's business).
    assert page.evaluate(WIDEST_IN_MAIN) <= 0

    page.get_by_test_id("connect-shopee").click()
    expect(page.get_by_test_id("consent-allow")).to_be_visible()
    shoot(page, "2-consent")
    page.get_by_test_id("consent-allow").click()
    expect(page.get_by_text("Terhubung ke Shopee")).to_be_visible()
    expect(shopee.get_by_test_id("state")).to_have_text("Terhubung")
    assert MarketplaceConnection.objects.get(store=seller.store).status == "connected"

    page.get_by_test_id("sync-all-shopee").click()
    expect(page.get_by_text("1 berhasil, 0 gagal")).to_be_visible()
    row = page.get_by_test_id("mkt-product")
    expect(row.get_by_test_id("listing-shopee")).to_contain_text("Tayang")
    shoot(page, "3-synced")
    assert MarketplaceListing.objects.get(product=product).status == "live"

    row.locator("summary").click()  # per-product actions are folded to keep the page short
    page.get_by_test_id("simulate-order-shopee").click()
    expect(page.get_by_text("stok berkurang")).to_be_visible()
    expect(page.get_by_test_id("mkt-product").get_by_test_id("our-stock")).to_have_text("Stok 2")
    expect(page.get_by_test_id("channel-order")).to_have_count(1)
    expect(page.get_by_test_id("channel-badge")).to_have_text("Shopee")
    assert page.evaluate(WIDEST_IN_MAIN) <= 0
    shoot(page, "4-ordered")
    assert Product.objects.get(pk=product.pk).stock == 2
    assert ChannelOrder.objects.get().state == "applied"

    # Lazada and Tokopedia send their own consent parameters (redirect_uri + state): both connect.
    for platform, name in (("lazada", "Lazada"), ("tokopedia", "Tokopedia")):
        page.get_by_test_id(f"connect-{platform}").click()
        page.get_by_test_id("consent-allow").click()
        expect(page.get_by_text(f"Terhubung ke {name}")).to_be_visible()
        expect(page.get_by_test_id(f"connection-{platform}").get_by_test_id("state")).to_have_text("Terhubung")
    shoot(page, "5-three-connected")

    # "Putuskan" asks first; dismissing keeps the connection.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("disconnect-lazada").click()
    expect(page.get_by_test_id("connection-lazada").get_by_test_id("state")).to_have_text("Terhubung")
    assert MarketplaceConnection.objects.get(store=seller.store, platform="lazada").status == "connected"
    assert not errors
