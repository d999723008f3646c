"""Store set-up on a 360×780 phone without typing coordinates (issue 11 item 13): the map
(Leaflet from our static files), "use my location", and a page that stays usable when the
map tiles cannot load (here they are blocked outright)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from stores.models import Store
from tokoblitar.testing.browser import login_in_browser

pytestmark = [pytest.mark.browser]

PHONE = {"width": 360, "height": 780}
AXE_WCAG21AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def phone(browser, asgi_server):
    context = browser.new_context(
        viewport=PHONE,
        base_url=asgi_server.url,
        locale="id-ID",
        geolocation={"latitude": -8.095210, "longitude": 112.172430},
        permissions=["geolocation"],
    )
    context.set_default_timeout(15_000)
    tiles = []

    def block(route):
        tiles.append(route.request.url)
        route.abort()

    context.route("https://tile.openstreetmap.org/**", block)
    page = context.new_page()
    page.tile_requests = tiles
    yield page
    context.close()


def test_store_location_by_map_and_my_location_with_tiles_blocked(phone, shoot):
    seller = make_user("seller", full_name="Sri Wahyuni")
    login_in_browser(phone, seller.email, PASSWORD)
    errors: list[str] = []
    phone.on("pageerror", lambda exc: errors.append(str(exc)))
    phone.goto("/dashboard/toko/")

    box = phone.get_by_test_id("store-map")
    expect(box).to_be_visible()
    expect(box.locator(".leaflet-marker-icon")).to_have_count(0)  # no location yet
    # Tiles were asked for (CSP allowed them) and failed: the page says so and stays usable.
    expect(phone.get_by_test_id("map-status")).to_contain_text("Peta tidak bisa dimuat")
    assert phone.tile_requests, "the map never asked for OpenStreetMap tiles"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(phone, "tiles-blocked")

    # "Use my location" fills the coordinates and drops the marker.
    phone.get_by_test_id("use-my-location").click()
    expect(phone.get_by_label("Garis lintang")).to_have_value("-8.095210")
    expect(phone.get_by_label("Garis bujur")).to_have_value("112.172430")
    expect(box.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(phone.get_by_test_id("map-status")).to_contain_text("Lokasi ditemukan")

    # A tap on the map moves the pin there.
    box.scroll_into_view_if_needed()
    bounds = box.bounding_box()
    phone.mouse.click(bounds["x"] + bounds["width"] * 0.3, bounds["y"] + bounds["height"] * 0.4)
    tapped = phone.get_by_label("Garis lintang").input_value()
    assert tapped != "-8.095210" and tapped.startswith("-8.09")
    shoot(phone, "pin-placed")

    phone.get_by_role("button", name="Simpan").click()
    expect(phone.get_by_text("Pengaturan toko tersimpan.")).to_be_visible()
    store = Store.objects.get(pk=seller.store.pk)
    assert store.lat == Decimal(tapped) and Decimal("112.1") < store.lng < Decimal("112.3")

    # Typed coordinates still work without the map (and move the pin when it is there).
    phone.get_by_label("Garis lintang").fill("-8.100000")
    phone.get_by_label("Garis bujur").fill("112.160000")
    phone.get_by_role("button", name="Simpan").click()
    expect(phone.get_by_text("Pengaturan toko tersimpan.")).to_be_visible()
    store.refresh_from_db()
    assert (store.lat, store.lng) == (Decimal("-8.100000"), Decimal("112.160000"))
    shoot(phone, "saved")
    # The overview's checklist: location ticked needs the shipping row too; product not yet.
    phone.goto("/dashboard/")
    checklist = phone.get_by_test_id("setup-checklist")
    expect(checklist.locator('[data-step="product"]')).to_have_attribute("data-done", "false")
    expect(checklist.get_by_role("link", name="Bagikan ke WhatsApp")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(phone, "overview-checklist")
    phone.goto("/dashboard/toko/")
    assert not errors, errors
    violations = Axe().run(phone, options=AXE_WCAG21AA).response["violations"]
    assert not [v["id"] for v in violations], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def test_store_settings_page_works_without_leaflet(phone, shoot):
    seller = make_user("seller", full_name="Bayu")
    phone.context.route("**/vendor/leaflet/leaflet.*.js", lambda route: route.abort())
    phone.context.route("**/vendor/leaflet/leaflet.js", lambda route: route.abort())
    login_in_browser(phone, seller.email, PASSWORD)
    phone.goto("/dashboard/toko/")
    expect(phone.get_by_test_id("store-map")).to_be_hidden()
    phone.get_by_label("Garis lintang").fill("-8.095210")
    phone.get_by_label("Garis bujur").fill("112.172430")
    phone.get_by_role("button", name="Simpan").click()
    expect(phone.get_by_text("Pengaturan toko tersimpan.")).to_be_visible()
    assert Store.objects.get(pk=seller.store.pk).lat == Decimal("-8.095210")
    shoot(phone, "no-leaflet")
