"""Back-office tab bars on a 360×780 phone: every tab reachable, the current one in view,
and a visible hint that more tabs hide to the side."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import PASSWORD, make_admin, make_user
from tokoblitar.testing.browser import SCREENSHOT_DIR, login_in_browser

pytestmark = [pytest.mark.browser]

PHONE = {"width": 360, "height": 780}


@pytest.fixture
def phone(browser, asgi_server):
    context = browser.new_context(viewport=PHONE, base_url=asgi_server.url, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5


def walk_tabs(page, start: str, name: str, count: int) -> None:
    page.goto(start)
    tabs = page.get_by_test_id("tabs")
    links = tabs.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) == count
    # That many tabs do not fit: the hint on the right says more are there.
    assert tabs.evaluate("n => n.querySelector('ul').scrollWidth > n.querySelector('ul').clientWidth")
    expect(tabs).to_have_class(re.compile(r"\bmore-right\b"))
    assert tabs.evaluate("n => getComputedStyle(n, '::after').display") == "flex"
    page.screenshot(path=str(SCREENSHOT_DIR / f"tabs-{name}-phone-first.png"))
    for i, href in enumerate(hrefs):
        if href.startswith("/django-admin"):
            continue
        page.goto(href)
        current = page.get_by_test_id("tabs").locator("[aria-current=page]")
        expect(current).to_have_count(1)
        assert in_view(page, current), f"current tab {href} is off screen"
        # Every tab can be reached by scrolling the bar, and then tapped.
        last = page.get_by_test_id("tabs").locator("a").nth(len(hrefs) - 1)
        last.scroll_into_view_if_needed()
        assert in_view(page, last)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], href
        if i == len(hrefs) - 2:
            page.goto(href)
            page.screenshot(path=str(SCREENSHOT_DIR / f"tabs-{name}-phone-current-at-the-end.png"))
    violations = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    assert [v["id"] for v in violations.response["violations"]] == []


def test_seller_dashboard_tabs_all_reachable_on_a_phone(phone):
    seller = make_user("seller", full_name="Bu Sri")
    login_in_browser(phone, seller.email, PASSWORD)
    walk_tabs(phone, "/dashboard/", "dashboard", 10)


def test_admin_panel_tabs_all_reachable_on_a_phone(phone):
    admin = make_admin()
    login_in_browser(phone, admin.email, PASSWORD)
    walk_tabs(phone, "/admin-panel/", "admin", 7)
