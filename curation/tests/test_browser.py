"""In a real browser: an admin features a store and adds a banner; the homepage shows both."""

from __future__ import annotations

import pytest
from PIL import Image

from audit.models import AuditLog
from conftest import PASSWORD, make_admin
from curation.tests.factories import quick_product, quick_store
from tokoblitar.testing.browser import login_in_browser

pytestmark = pytest.mark.browser


def test_admin_features_a_store_and_it_appears_on_the_homepage(page, shoot, tmp_path):
    admin = make_admin()
    store = quick_store(name="Wajik Kletik Bu Hartini", slug="wajik-bu-hartini", address="Jl. Kenari, Blitar")
    quick_product(store=store, name="Wajik Kletik Original")

    page.goto("/")
    featured_card = page.locator("a.store-card", has_text="Wajik Kletik Bu Hartini")
    assert featured_card.count() == 0

    login_in_browser(page, admin.email, PASSWORD)
    page.goto("/admin-panel/stores/?q=wajik")
    row = page.locator('[data-testid="admin-store"][data-slug="wajik-bu-hartini"]')
    row.get_by_test_id("feature-toggle").click()
    page.wait_for_load_state()
    assert "Unggulan" in row.inner_text()
    shoot(page, "stores-featured")

    # A banner with an uploaded picture (no outside URL: the browser stays on 127.0.0.1).
    picture = tmp_path / "banner.png"
    Image.new("RGB", (1200, 400), (15, 118, 110)).save(picture)
    page.goto("/admin-panel/banners/")
    page.get_by_label("Judul", exact=True).fill("Pekan Oleh-oleh Blitar")
    page.get_by_label("Gambar", exact=True).set_input_files(str(picture))
    page.get_by_label("Tautan", exact=True).fill("/store/wajik-bu-hartini/")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("admin-banners").get_by_text("Pekan Oleh-oleh Blitar").count() == 1

    page.goto("/")
    featured_card.wait_for()
    assert featured_card.get_attribute("href") == "/store/wajik-bu-hartini/"
    # An image banner carries its title as the image's alt text (never printed over the image).
    banner = page.locator("a.banner").filter(has=page.get_by_alt_text("Pekan Oleh-oleh Blitar"))
    assert banner.get_attribute("href") == "/store/wajik-bu-hartini/"
    shoot(page, "homepage")

    assert set(AuditLog.objects.values_list("action", flat=True)) == {"store.feature", "banner.create"}
