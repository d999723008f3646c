"""The header on a 360-px phone: every link whole (nothing scrolled out of sight), for a
visitor, a buyer and a seller (whose "Toko Saya" used to be cut to a sliver)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from tokoblitar.testing.browser import login_in_browser

pytestmark = pytest.mark.browser


def _nav_fits(page) -> bool:
    return page.evaluate(
        "() => { const nav = document.querySelector('.topnav');"
        " const bar = document.querySelector('.topbar-inner');"
        " return nav.scrollWidth <= nav.clientWidth + 1 && bar.scrollWidth <= bar.clientWidth + 1; }"
    )


@pytest.mark.parametrize("role", ["visitor", "buyer", "seller"])
def test_header_links_are_whole_on_a_360px_phone(page, shoot, role, request):
    page.set_viewport_size({"width": 360, "height": 780})
    if role != "visitor":
        user = request.getfixturevalue(role)
        login_in_browser(page, user.email, PASSWORD)
    page.goto("/")
    cart = page.get_by_test_id("nav-cart")
    expect(cart).to_have_accessible_name("Keranjang")
    expect(cart).to_be_in_viewport(ratio=1)
    if role == "seller":
        expect(page.get_by_test_id("nav-dashboard")).to_have_text("Toko Saya")
        expect(page.get_by_test_id("nav-dashboard")).to_be_in_viewport(ratio=1)
    if role != "visitor":
        expect(page.get_by_test_id("nav-bell")).to_be_in_viewport(ratio=1)
        expect(page.get_by_test_id("account-menu")).to_be_in_viewport(ratio=1)
    assert _nav_fits(page), "a header link is scrolled out of sight"
    shoot(page, f"header-{role}")
