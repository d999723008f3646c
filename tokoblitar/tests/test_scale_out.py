"""Scale-out (issue 17 item 1): two web processes and two task workers sharing a real Redis
behave as one site. Each case here fails when any of them keeps the state in its own process
(locmem counters or cache, an in-process channel layer)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from conftest import PASSWORD, make_user
from orders.models import Order
from orders.tests.factories import ADDRESS, make_product
from tokoblitar.testing.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, missing_browser_tool
from tokoblitar.testing.scaled import SCALED_RATELIMIT_AUTH, process_log

WRONG = "salah-sekali-123"


def _api_login(base: str, email: str, password: str) -> int:
    return httpx.post(f"{base}/api/auth/login", json={"email": email, "password": password}, timeout=30).status_code


def test_a_client_limited_by_one_process_is_limited_by_the_other(scaled):
    make_user("buyer", email="sari@contoh.id")
    first, second = scaled.web
    allowed = int(SCALED_RATELIMIT_AUTH.split("/")[0])
    # Alternate between the processes: each alone has seen fewer attempts than the limit.
    codes = [_api_login(scaled.web[n % 2].url, "sari@contoh.id", WRONG) for n in range(allowed)]
    assert codes == [401] * allowed, process_log(scaled)
    assert _api_login(second.url, "sari@contoh.id", PASSWORD) == 429
    assert _api_login(first.url, "sari@contoh.id", PASSWORD) == 429


def test_session_token_and_cache_are_the_same_whichever_process_answers(scaled, seller):
    first, second = scaled.web
    # A session made by one process is honoured by the other (cookies ignore the port).
    with httpx.Client(base_url=first.url, timeout=30) as web:
        page = web.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        done = web.post(
            "/login/",
            data={"csrfmiddlewaretoken": token, "username": seller.email, "password": PASSWORD},
            headers={"Referer": f"{first.url}/login/"},
        )
        assert done.status_code == 302
        overview = httpx.get(f"{second.url}/dashboard/", cookies=web.cookies, timeout=30)
    assert overview.status_code == 200 and seller.store.name in overview.text

    # The public listing is cached; a price changed through one process is what the other
    # one answers next (the cache version lives in the shared cache, not in a process).
    product = make_product(store=seller.store, price=25_000, name="Sambel Tumpang Wlingi")
    login = httpx.post(f"{first.url}/api/auth/login", json={"email": seller.email, "password": PASSWORD}, timeout=30)
    auth = {"Authorization": f"Bearer {login.json()['data']['token']}"}

    def listed_price() -> int:
        body = httpx.get(f"{second.url}/api/buyer/products", params={"q": "tumpang"}, timeout=30).json()
        return body["data"][0]["price"]

    assert listed_price() == 25_000  # now cached in Redis
    changed = httpx.patch(
        f"{first.url}/api/seller/products/{product.pk}", json={"price": 27_500}, headers=auth, timeout=30
    )
    assert changed.status_code == 200, changed.text
    assert listed_price() == 27_500


@pytest.mark.browser
def test_push_from_a_worker_reaches_a_browser_on_the_other_process(scaled, buyer, seller, monkeypatch):
    """The buyer watches her order on web process 2; she pays through web process 1 (its
    simulator webhook lands there), and one of the two task workers books the courier. Both
    updates reach her page live, through Redis."""
    if not Path(CHROMIUM).exists():
        missing_browser_tool(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    from checkout.services import order_place

    first, second = scaled.web
    product = make_product(store=seller.store, price=30_000, name="Kopi Robusta Kawi")
    order = order_place(
        buyer=buyer,
        store_id=seller.store.pk,
        items=[{"product_id": product.pk, "quantity": 1}],
        shipping_address=dict(ADDRESS),
        courier="jne",
    ).order
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=PHONE, locale="id-ID")
            context.set_default_timeout(15_000)
            tracking = context.new_page()
            tracking.goto(f"{second.url}/login/")
            tracking.get_by_label("Email").fill(buyer.email)
            tracking.get_by_label("Kata sandi").fill(PASSWORD)
            tracking.get_by_test_id("login-submit").click()
            tracking.wait_for_load_state()
            tracking.goto(f"{second.url}/pesanan/{order.pk}/")
            expect(tracking.get_by_test_id("order-status")).to_have_text("Menunggu pembayaran")
            expect(tracking.locator("#tracking")).to_have_attribute("data-live", "1")
            tracking.evaluate("window.__samePage = 'tracking'")

            wallet = context.new_page()  # same host, other port: the session cookie is shared
            wallet.goto(f"{first.url}/pay/{order.pk}/")
            wallet.get_by_role("button", name="Bayar", exact=True).click()
            # Let the wallet's own page finish (it turns "paid" live) before closing it: closing a tab
            # mid-navigation once hung Playwright's close() for minutes on a loaded CI machine.
            expect(wallet.locator("#pay-status")).to_have_attribute("data-state", "paid", timeout=40_000)
            wallet.close()

            # The worker may book the courier before the page shows "Dibayar": then it goes straight
            # on to "Diproses", which is the same push arriving (the test once raced on this).
            expect(tracking.get_by_test_id("order-status")).to_have_text(re.compile("Dibayar|Diproses"), timeout=40_000)
            expect(tracking.get_by_test_id("shipment-status")).to_have_text("Kurir dipesan", timeout=40_000)
            assert tracking.evaluate("window.__samePage") == "tracking", "updated live, not reloaded"
            tracking.screenshot(path=str(_screenshot("scaled-push-across-processes")), full_page=True)
        finally:
            browser.close()
            from django.db import connections

            connections.close_all()
    order.refresh_from_db()
    assert order.status in (Order.Status.PAID, Order.Status.PROCESSING)


def _screenshot(name: str) -> Path:
    from tokoblitar.testing.browser import SCREENSHOT_DIR

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR / f"{name}.png"
