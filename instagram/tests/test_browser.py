"""Seller in real Chromium on a 360×780 phone: connect Instagram through the simulated login,
make a draft from a product, edit its caption, publish now, and see it published (the task
worker runs the container → status → publish flow in the background)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from instagram.models import InstagramAccount, InstagramPost, SimulatedGraphObject
from instagram.tests.helpers import configure, enable
from storefront.tests.factories import add_product
from tokoblitar.testing.browser import login_in_browser

pytestmark = [pytest.mark.browser]
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def _simulated_instagram(monkeypatch):
    # The server and the worker are child processes: they choose the provider from the environment.
    monkeypatch.setenv("INSTAGRAM_PROVIDER", "simulator")


def test_connect_draft_publish_and_see_it_published(_simulated_instagram, page, shoot, asgi_server, task_worker):
    seller = make_user("seller", email="sri@contoh.id", full_name="Sri Wahyuni")
    enable(seller.store)
    add_product(
        seller.store,
        name="Sambal Pecel Bu Sri",
        price=15_000,
        description="Sambal pecel khas Blitar dari kacang tanah sangrai. Isi 250 gram.",
    )
    configure(ready_after_seconds=2)
    task_worker()

    page.set_viewport_size(PHONE)
    page.set_default_timeout(40_000)  # the shared 2-core machine can be slow under load
    login_in_browser(page, seller.email, PASSWORD)
    page.goto("/dashboard/instagram/")
    expect(page.get_by_test_id("instagram-empty")).to_be_visible()
    shoot(page, "1-not-connected")

    # Instagram login, played by the simulator's local consent page.
    page.get_by_test_id("instagram-connect").click()
    expect(page.get_by_test_id("instagram-consent")).to_be_visible()
    page.get_by_label("Nama pengguna Instagram").fill("sambalbusri")
    shoot(page, "2-consent")
    page.get_by_test_id("instagram-allow").click()
    expect(page.get_by_test_id("instagram-username")).to_have_text("@sambalbusri")
    assert InstagramAccount.objects.get(store=seller.store).username == "sambalbusri"
    shoot(page, "3-connected")

    # A draft with the generated caption, edited before publishing.
    page.get_by_test_id("instagram-make-draft").click()
    post = page.get_by_test_id("instagram-post").first
    expect(post.get_by_test_id("instagram-post-status")).to_have_text("Draf")
    caption = post.get_by_test_id("instagram-caption")
    assert "Harga: Rp15.000" in caption.input_value() and "#UMKMBlitar" in caption.input_value()
    caption.fill("Sambal pecel Bu Sri, pedasnya pas!\n\nHarga: Rp15.000\n\n#UMKMBlitar #SambalPecel")
    shoot(page, "4-draft")
    post.get_by_test_id("instagram-publish-now").click()

    # The worker makes the container, polls until FINISHED and publishes.
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if InstagramPost.objects.filter(status="published").exists():
            break
        time.sleep(0.5)
    page.reload()
    status = page.get_by_test_id("instagram-post").first.get_by_test_id("instagram-post-status")
    expect(status).to_have_text("Terbit")
    expect(page.get_by_text("Lihat di Instagram")).to_be_visible()
    shoot(page, "5-published")
    published = InstagramPost.objects.get()
    assert published.caption.startswith("Sambal pecel Bu Sri, pedasnya pas!") and published.media_id
    media = SimulatedGraphObject.objects.get(kind="media")
    assert media.data["username"] == "sambalbusri" and media.data["caption"] == published.caption
