"""A seller presses "Perbaiki foto" on a phone (360x780) and watches the photo get enhanced
live (task worker + WebSocket), compares before/after, and keeps it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from catalog.tests.factories import catalog_product
from conftest import PASSWORD, make_user
from photos.models import EnhanceJob
from photos.tests.conftest import add_photo
from tokoblitar.testing.browser import login_in_browser

pytestmark = [pytest.mark.browser]

PHONE_SMALL = {"width": 360, "height": 780}


def test_seller_enhances_a_photo_and_sees_it_live(media, browser, asgi_server, task_worker, shoot):
    seller = make_user("seller", email="sri@contoh.id", full_name="Sri Wahyuni")
    product = catalog_product(seller.store, name="Sambal Pecel Bu Sri")
    photo = add_photo(seller, product)
    context = browser.new_context(viewport=PHONE_SMALL, base_url=asgi_server.url, locale="id-ID")
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        login_in_browser(page, seller.email, PASSWORD)
        page.goto(f"/dashboard/produk/{product.pk}/")
        shoot(page, "1-product-edit")
        button = page.get_by_test_id("enhance-photo")
        expect(button).to_have_text("Perbaiki foto")

        # No worker yet: the job waits in the queue, and the page shows it.
        button.click()
        expect(page).to_have_url(re.compile(r"#enhance-panel$"))
        job_card = page.get_by_test_id("enhance-job")
        expect(job_card).to_have_attribute("data-status", "queued")
        expect(job_card).to_contain_text("Menunggu giliran")
        shoot(page, "2-queued")
        # A marker that a reload would wipe: what follows must arrive without one.
        page.evaluate("window.__notReloaded = true")

        task_worker()  # the worker runs the enhancement; progress arrives over the socket
        try:
            expect(job_card).to_have_attribute("data-status", "succeeded", timeout=90_000)
        except AssertionError:
            print("JOB", list(EnhanceJob.objects.values("status", "progress", "reason")))
            print("WORKER", asgi_server.log.with_name("worker.log").read_text()[-3000:])
            print("SERVER", asgi_server.log.read_text()[-3000:])
            raise
        assert page.evaluate("window.__notReloaded === true")
        before, after = page.get_by_test_id("enhance-before"), page.get_by_test_id("enhance-after")
        expect(after).to_be_visible()
        expect(page.get_by_text("Sesudah")).to_be_visible()
        assert after.evaluate("img => img.complete && img.naturalWidth") > 0
        assert before.evaluate("img => img.naturalWidth") > 0
        # Before and after side by side on a 360 px phone.
        b, a = before.bounding_box(), after.bounding_box()
        assert abs(b["y"] - a["y"]) < 2 and a["x"] > b["x"] + b["width"] - 1
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        after.scroll_into_view_if_needed()
        shoot(page, "3-before-after")

        page.get_by_test_id("enhance-keep-replace").click()
        expect(page.get_by_text("Foto asli diganti dengan foto yang sudah diperbaiki.")).to_be_visible()
        expect(page.get_by_test_id("enhance-job")).to_have_count(0)
        thumb = page.locator(".thumbs img").first
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
        shoot(page, "4-kept")
    finally:
        context.close()

    job = EnhanceJob.objects.get()
    assert job.status == "succeeded" and job.decision == "replaced"
    images = list(product.images.all())
    assert len(images) == 1 and images[0].pk != photo.pk and images[0].pk == job.kept_image_id
