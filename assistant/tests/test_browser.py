"""A seller on a phone (360x780) asks the assistant, in Indonesian, to add a product: the
answer streams in, a product card appears with a link, the product exists."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from catalog.models import Product
from conftest import PASSWORD, make_user
from tokoblitar.testing.browser import SCREENSHOT_DIR, login_in_browser

pytestmark = [pytest.mark.browser]

PHONE_SMALL = {"width": 360, "height": 780}

# Records every text the assistant's streaming bubble shows, to prove it grew piece by piece.
WATCH = """
() => {
  window.__aiTexts = [];
  const log = document.querySelector('[data-ai-log]');
  new MutationObserver(() => {
    const b = log.querySelector('.ai-msg.assistant[data-streaming]');
    if (b && window.__aiTexts[window.__aiTexts.length - 1] !== b.textContent) window.__aiTexts.push(b.textContent);
  }).observe(log, {subtree: true, childList: true, characterData: true});
}
"""


def test_seller_adds_a_product_by_chat_on_a_phone(browser, asgi_server, shoot):
    seller = make_user("seller", email="sri@contoh.id", full_name="Sri Wahyuni")
    context = browser.new_context(viewport=PHONE_SMALL, base_url=asgi_server.url, locale="id-ID")
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        login_in_browser(page, seller.email, PASSWORD)
        page.goto("/dashboard/")
        opener = page.get_by_test_id("ai-open")
        expect(opener).to_be_visible()
        shoot(page, "1-dashboard")

        # Keyboard only: focus the button, Enter opens, the message box gets the focus.
        opener.focus()
        page.keyboard.press("Enter")
        panel = page.get_by_test_id("ai-panel")
        expect(panel).to_be_visible()
        expect(page.get_by_test_id("ai-input")).to_be_focused()
        shoot(page, "2-panel-open")

        page.evaluate(WATCH)
        page.keyboard.type("tambahkan keripik tempe pedas 15 ribu stok 30")
        page.keyboard.press("Enter")

        card = page.get_by_test_id("ai-tool-card")
        expect(card).to_contain_text("Keripik Tempe Pedas", timeout=20_000)
        expect(card).to_contain_text("Rp15.000")
        expect(panel).to_have_attribute("data-turns", "1", timeout=20_000)  # [DONE] arrived
        expect(page.get_by_test_id("ai-log")).to_contain_text("✅ Produk Keripik Tempe Pedas sudah ditambahkan")
        shoot(page, "3-product-card")
        page.screenshot(path=str(SCREENSHOT_DIR / "test_seller_adds_a_product_by_chat_on_a_phone-3b-viewport.png"))

        grew = page.evaluate("window.__aiTexts")
        assert len(grew) >= 4, grew  # seen growing, not set once
        assert all(grew[i + 1].startswith(grew[i]) for i in range(len(grew) - 1))

        product = Product.objects.get(store__owner=seller)
        assert (product.name, product.price, product.stock) == ("Keripik Tempe Pedas", 15000, 30)
        link = card.get_by_role("link")
        expect(link).to_have_attribute("href", f"/dashboard/produk/{product.pk}/")

        # The conversation is kept across pages: another dashboard page shows it again.
        page.goto("/dashboard/pesanan/")
        page.get_by_test_id("ai-open").click()
        expect(page.get_by_test_id("ai-tool-card")).to_contain_text("Keripik Tempe Pedas")
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        expect(page.get_by_test_id("ai-open")).to_be_focused()
        shoot(page, "4-closed")

    finally:
        context.close()
