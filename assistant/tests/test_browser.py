"""A seller on a phone (360x780) asks the assistant, in Indonesian, to add a product: the
answer streams in, a product card appears with a link, the product exists."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from catalog.models import Product
from conftest import PASSWORD, make_user
from tokoblitar.testing.browser import SCREENSHOT_DIR, login_in_browser

pytestmark = [pytest.mark.browser]

PHONE_SMALL = {"width": 360, "height": 780}

# Links, buttons and inputs of the page (not the panel) whose box meets the floating button's.
COVERED = """
() => {
  const fab = document.querySelector('[data-ai-open]').getBoundingClientRect();
  const out = [];
  for (const el of document.querySelectorAll('a, button, input, select, textarea')) {
    if (el.closest('[data-ai-panel]') || el.matches('[data-ai-open]') || !el.offsetParent) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.height && r.left < fab.right && r.right > fab.left && r.top < fab.bottom && r.bottom > fab.top) {
      out.push((el.textContent || el.name || el.tagName).trim().slice(0, 40));
    }
  }
  return out;
}
"""

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
        expect(card).to_contain_text(re.compile(r"Rp\s15\.000"))  # the site's format, no-break space
        expect(panel).to_have_attribute("data-turns", "1", timeout=20_000)  # [DONE] arrived
        # The truth: a draft, not on the storefront yet, with the weight it assumed.
        expect(page.get_by_test_id("ai-log")).to_contain_text("disimpan sebagai draf")
        expect(page.get_by_test_id("ai-log")).to_contain_text("250 g")
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

        # Scrolled to the end, no control of the page stays under the floating button.
        for path in ("/dashboard/", "/dashboard/pesanan/", "/dashboard/produk/"):
            page.goto(path)
            page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
            covered = page.evaluate(COVERED)
            assert covered == [], (path, covered)
        shoot(page, "5-bottom-clear")

        # A reload in a new tab (no session kept) reopens the latest conversation; "Riwayat"
        # entries carry a date; "Baru" shows the starter hint again.
        fresh = context.new_page()
        fresh.goto("/dashboard/")
        fresh.get_by_test_id("ai-open").click()
        expect(fresh.get_by_test_id("ai-tool-card")).to_contain_text("Keripik Tempe Pedas")
        fresh.locator("[data-ai-history-toggle]").click()
        expect(fresh.locator("#ai-history button small").first).to_contain_text(re.compile(r"\d{4}"))
        expect(fresh.get_by_test_id("ai-log")).to_be_hidden()
        shoot(fresh, "6-history")
        fresh.locator("[data-ai-new]").click()
        expect(fresh.locator("[data-ai-hint]")).to_be_visible()

        # A failed tool gets a failure heading, never the success one ("Kode promo dibuat").
        for turn in (1, 2):  # the same code twice: the second is refused
            fresh.get_by_test_id("ai-input").fill("buat promo HEMAT10 diskon 10% sampai akhir bulan")
            fresh.get_by_test_id("ai-input").press("Enter")
            expect(fresh.get_by_test_id("ai-panel")).to_have_attribute("data-turns", str(turn), timeout=20_000)
        failed = fresh.locator("[data-testid=ai-tool-card].error")
        expect(failed).to_have_count(1)
        expect(failed.locator("strong")).to_have_text("Perintah tidak berhasil")
        shoot(fresh, "7-failed-card")

    finally:
        context.close()
