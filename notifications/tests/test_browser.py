"""The seller's bell lights up live when a buyer pays (payment simulator -> real webhook ->
order.paid -> worker stores the notification -> Channels push -> the open dashboard's header)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from notifications.models import Notification
from orders.tests.factories import make_product, place
from tokoblitar.testing.browser import login_in_browser

PHONE = {"width": 360, "height": 780}


@pytest.mark.browser
def test_seller_bell_lights_up_live_when_the_buyer_pays(browser, asgi_server, task_worker, shoot):
    buyer, seller = make_user("buyer"), make_user("seller")
    order = place(buyer=buyer, product=make_product(store=seller.store, price=25_000)).order
    task_worker()

    seller_ctx = browser.new_context(viewport=PHONE, base_url=asgi_server.url, locale="id-ID")
    buyer_ctx = browser.new_context(viewport=PHONE, base_url=asgi_server.url, locale="id-ID")
    seller_ctx.set_default_timeout(20_000)
    buyer_ctx.set_default_timeout(20_000)
    try:
        dashboard = seller_ctx.new_page()
        login_in_browser(dashboard, seller.email, PASSWORD)
        dashboard.goto("/dashboard/")
        bell = dashboard.get_by_test_id("nav-bell")
        expect(bell).to_have_attribute("data-live", "1")  # the socket is open
        expect(dashboard.get_by_test_id("bell-count")).to_be_hidden()
        # Outside the scrolling nav: the whole bell is on screen on a 360-px phone.
        box = bell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box

        pay = buyer_ctx.new_page()
        login_in_browser(pay, buyer.email, PASSWORD)
        pay.goto(f"/pay/{order.pk}/")
        pay.get_by_role("button", name="Bayar", exact=True).click()

        # No reload: the count arrives over the socket.
        expect(dashboard.get_by_test_id("bell-count")).to_have_text("1", timeout=45_000)
        expect(bell).to_have_attribute("data-unread", "1")
        shoot(dashboard, "seller-bell-lit")
        # The bell leads to the list, which names the order.
        bell.click()
        expect(dashboard.get_by_test_id("notification-list")).to_contain_text(order.number)
        shoot(dashboard, "seller-notifications")
        assert Notification.objects.filter(recipient=seller, event_key=f"order.paid:{order.pk}").exists()
        # The page never scrolls sideways on a 360-px phone.
        assert dashboard.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        seller_ctx.close()
        buyer_ctx.close()
