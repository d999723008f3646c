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


def test_long_words_wrap_on_a_phone_and_disconnect_asks_then_holds(_simulated_instagram, page, shoot, asgi_server):
    """A 2,200-character word in captions, product names and Instagram's reason must wrap: the
    360 px page never grows wider (taps land where they look). Disconnecting with a scheduled
    post asks first; the post is then on hold with our own reason."""
    from datetime import timedelta

    from instagram import clock
    from instagram.tests.helpers import connect

    seller = make_user("seller", email="sri@contoh.id", full_name="Sri Wahyuni")
    enable(seller.store)
    product = add_product(seller.store, name="Sambal" + "a" * 110, price=15_000)
    connect(seller, "sambalbusri")
    word = "a" * 2200
    url = "https://contoh.id/" + "b" * 400
    InstagramPost.objects.create(store=seller.store, product=product, caption=word, status="published")
    InstagramPost.objects.create(
        store=seller.store, product=product, caption=url, status="failed", error_code="1/2", error_message=url
    )
    InstagramPost.objects.create(
        store=seller.store,
        product=product,
        caption=word,
        status="scheduled",
        schedule_at=clock.now() + timedelta(days=21),
    )
    draft = InstagramPost.objects.create(store=seller.store, product=product, caption=word)

    page.set_viewport_size(PHONE)
    page.set_default_timeout(40_000)
    login_in_browser(page, seller.email, PASSWORD)
    page.goto("/dashboard/instagram/")
    expect(page.get_by_test_id("instagram-post")).to_have_count(4)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide at 360px"
    shoot(page, "1-long-words")
    # The draft's buttons are on screen, and pressing one acts on that draft.
    form = page.locator(f"#post-{draft.pk}")
    box = form.get_by_test_id("instagram-publish-now").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360

    # Disconnect with a scheduled post: asked first; "Cancel" keeps the connection.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("instagram-disconnect").click()
    expect(page.get_by_test_id("instagram-username")).to_have_text("@sambalbusri")
    assert InstagramAccount.objects.filter(store=seller.store).exists()
    messages = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_test_id("instagram-disconnect").click()
    expect(page.get_by_test_id("instagram-connect")).to_be_visible()
    assert messages and "1 posting terjadwal akan ditahan" in messages[0]
    assert not InstagramAccount.objects.filter(store=seller.store).exists()
    held = page.get_by_test_id("instagram-post-hold")
    expect(held).to_contain_text("dijadwalkan lagi setelah Instagram dihubungkan kembali")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(page, "2-disconnected-held")
    assert InstagramPost.objects.get(status="on_hold").error_code == "disconnected"
    assert InstagramPost.objects.get(pk=draft.pk).status == "draft"
