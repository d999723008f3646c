"""The WhatsApp inbox in real Chromium at 360×780 on the offline gateway (the server's own
simulator, its events POSTed signed to the server's webhook by the task worker): the seller
links the phone by "scanning" the QR, a buyer's message arrives live, she answers with a product
card and the ticks advance to read."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from orders.tests.factories import make_product
from stores.models import StoreFeatureFlags
from tokoblitar.testing.browser import login_in_browser
from whatsapp.models import Message

pytestmark = [pytest.mark.browser]
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def phone_page(browser, asgi_server):
    context = browser.new_context(viewport=PHONE, base_url=asgi_server.url, locale="id-ID")
    context.set_default_timeout(45_000)
    page = context.new_page()
    yield page
    context.close()


def test_link_by_scanning_receive_live_answer_with_product_card_ticks_reach_read(
    phone_page, shoot, asgi_server, task_worker, settings
):
    settings.WHATSAPP_PROVIDER = "simulator"
    expect.set_options(timeout=20_000)  # the worker delivers the simulator's events; the machine is shared
    seller = make_user("seller", email="sri.wa@contoh.id", full_name="Sri Wahyuni")
    StoreFeatureFlags.objects.update_or_create(store=seller.store, defaults={"whatsapp_inbox": True})
    product = make_product(store=seller.store, name="Sambal Pecel Bu Sri", price=25_000, stock=7)
    task_worker()
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    login_in_browser(page, seller.email, PASSWORD)
    page.goto("/dashboard/whatsapp/")
    shoot(page, "1-not-connected")
    page.get_by_test_id("session-connect").click()

    # The QR appears (the simulator's first QR, 60 s) with a live countdown.
    expect(page.get_by_test_id("qr-image")).to_be_visible()
    countdown = page.get_by_test_id("qr-countdown")
    expect(countdown).to_have_text(re.compile(r"^(60|[1-5]\d)$"))
    first = int(countdown.inner_text())
    page.wait_for_timeout(2100)
    assert int(countdown.inner_text()) < first  # it ticks
    shoot(page, "2-qr")

    page.get_by_test_id("sim-scan").click()
    expect(page.get_by_test_id("session-state")).to_have_text("Terhubung")
    expect(page.get_by_test_id("qr-image")).to_have_count(0)
    shoot(page, "3-linked")

    # The simulated buyer writes; the chat appears live with its unread count.
    page.get_by_label("Pesan pembeli").fill("Kak, sambal pecelnya masih ada?")
    page.get_by_test_id("sim-buyer").click()
    expect(page.get_by_test_id("chat-item")).to_have_count(1)
    item = page.get_by_test_id("chat-item")
    shoot(page, "4-message-arrived")
    expect(item).to_contain_text("masih ada")
    expect(item.get_by_test_id("unread-count")).to_have_text("1")
    shoot(page, "4-message-arrived")

    # Open it (phone: the conversation replaces the list) and answer with a product card.
    item.click()
    expect(page.get_by_test_id("chat-name")).to_have_text("Bu Rina")
    expect(page.get_by_test_id("chat-list")).to_be_hidden()
    page.get_by_text("Pesanan & aksi cepat").click()
    page.get_by_test_id("product-pick").select_option(value=str(product.pk))
    page.get_by_test_id("send-product").click()
    card = page.get_by_test_id("message").filter(has_text="*Sambal Pecel Bu Sri*")
    expect(card).to_be_visible()
    shoot(page, "5-card-sent")
    # Ticks: queued → sent → delivered → read, pushed live (the simulator acks in 1, 2, 4 s).
    expect(card).to_have_attribute("data-status", "read", timeout=30_000)
    expect(card.get_by_test_id("tick")).to_have_class(re.compile("wa-tick-read"))
    # Bu Rina answers what she was sent.
    expect(page.get_by_test_id("message").filter(has_text="saya ambil 2")).to_be_visible(timeout=30_000)
    shoot(page, "6-read-and-answered")

    # The composer: Shift+Enter is a new line, Enter sends.
    box = page.get_by_test_id("composer")
    box.fill("Siap kak")
    box.press("Shift+Enter")
    box.type("Total Rp 50.000 ya")
    box.press("Enter")
    expect(page.get_by_test_id("message").filter(has_text="Total Rp 50.000 ya")).to_be_visible()
    expect(box).to_have_value("")
    assert Message.objects.filter(direction="out", body="Siap kak\nTotal Rp 50.000 ya").exists()
    shoot(page, "7-composer")

    # A canned reply, made on the settings page, inserted with "/" and filled for this chat.
    chat_url = page.url
    page.goto("/dashboard/whatsapp/pengaturan/")
    page.get_by_label("Pintasan").fill("makasih")
    page.get_by_label("Isi balasan").fill("Terima kasih {nama} sudah belanja di {toko}!")
    page.get_by_test_id("save-canned").click()
    expect(page.get_by_test_id("canned-list")).to_contain_text("/makasih")
    shoot(page, "8-canned-settings")
    from whatsapp.models import CannedReply

    CannedReply.objects.create(store=seller.store, shortcut="ongkir", text="Ongkir ke {nama} dihitung otomatis.")
    CannedReply.objects.create(store=seller.store, shortcut="resi", text="Sudah dikirim, resinya {resi}.")
    page.goto(chat_url)
    box = page.get_by_test_id("composer")
    box.type("/")
    # Bu Rina has no shipped order: /resi is listed greyed ("tidak ada pesanan terkirim"), never chosen.
    resi = page.get_by_test_id("canned-item").filter(has_text="/resi")
    expect(resi).to_have_attribute("aria-disabled", "true")
    expect(resi).to_contain_text("tidak ada pesanan terkirim")
    box.type("o")
    # Filtering hides the others for real ([hidden] wins) and the match is highlighted.
    expect(page.get_by_test_id("canned-item").filter(has_text="/makasih")).to_be_hidden()
    ongkir = page.get_by_test_id("canned-item").filter(has_text="/ongkir")
    expect(ongkir).to_be_visible()
    expect(ongkir).to_have_attribute("aria-selected", "true")
    assert ongkir.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    shoot(page, "9-canned-filtered")
    box.fill("")
    box.type("/mak")
    expect(page.get_by_test_id("canned-item").filter(has_text="/ongkir")).to_be_hidden()
    expect(page.get_by_test_id("canned-item").filter(has_text="/makasih")).to_be_visible()
    box.press("Enter")
    expect(box).to_have_value(f"Terima kasih Bu Rina sudah belanja di {seller.store.name}!")
    shoot(page, "9-canned-inserted")

    # Labels saved from the header show in the header at once (not only in the list).
    from whatsapp.models import ChatLabel

    ChatLabel.objects.create(store=seller.store, name="Langganan", colour="green")
    box.fill("")
    page.reload()
    page.locator(".wa-label-pick summary").click()
    page.get_by_label("Langganan").check()
    page.get_by_test_id("save-labels").click()
    expect(page.get_by_test_id("chat-label").filter(has_text="Langganan")).to_be_visible()
    shoot(page, "9b-label-in-header")

    # Wide screen: list and conversation side by side.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.get_by_test_id("chat-list")).to_be_visible()
    shoot(page, "10-wide")
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors
