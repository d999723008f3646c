"""The dashboard inbox (dashboard/whatsapp_views.py) on the offline gateway: linking by the
simulated scan, chats arriving, reading, answering, quick actions, labels and canned replies,
ownership, bad input, query counts; and the whatsapp_inbox switch checked first."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from conftest import client_for
from orders.tests.factories import make_product, place
from whatsapp.models import CannedReply, Chat, ChatLabel, Contact, Message, WhatsAppSession
from whatsapp.services import seller_session_create

pytestmark = pytest.mark.django_db
INBOX = "/dashboard/whatsapp/"
FETCH = {"X-Inbox": "1"}


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def linked(wa_seller, sim):
    """The seller's session, started and linked by scanning its current QR."""
    from whatsapp.services import seller_qr_get

    session, _created = seller_session_create(actor=wa_seller)
    sim.elapse(session.name, 2)
    seller_qr_get(actor=wa_seller, session_id=session.pk)
    session.refresh_from_db()
    sim.scan(session.name, session.qr)
    sim.pump()
    session.refresh_from_db()
    assert session.state == "WORKING"
    return session


def add_chat(session, n: int, *, text: str = "halo", unread: int = 1) -> Chat:
    contact = Contact.objects.create(session=session, gateway_id=f"62812000{n:05d}@c.us", phone=f"62812000{n:05d}")
    chat = Chat.objects.create(
        session=session, remote_id=contact.gateway_id, contact=contact, name=f"Pembeli {n}", unread_count=unread
    )
    Message.objects.create(
        session=session, chat=chat, direction="in", body=text, status="received", provider_message_id=f"m{n}"
    )
    Chat.objects.filter(pk=chat.pk).update(last_message=text)
    return chat


# --- the switch first (note15: an unknown id answered 404/400 before the switch) -------------


def test_switched_off_store_gets_403_before_any_session_lookup(seller):
    client = client_for(seller)
    unknown = uuid.uuid4()
    for url in (
        f"/api/session/status?sessionId={unknown}",
        "/api/session/status?sessionId=not-a-uuid",
        "/api/session/status",
        f"/api/qr?sessionId={unknown}",
        f"/api/qr?sessionId={unknown}&format=bogus",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "feature_disabled", url
    response = client.post("/api/messages/send", {"sessionId": str(unknown), "to": "", "message": ""}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "feature_disabled"
    assert not Message.objects.exists()


def test_switched_off_store_sees_an_explanation_not_the_inbox(seller):
    response = page_client(seller).get(INBOX)
    assert response.status_code == 403
    assert b'data-testid="inbox-disabled"' in response.content
    assert page_client(seller).get(reverse("dashboard:whatsapp:list")).status_code == 403


# --- linking from the page --------------------------------------------------------------


def test_connect_show_qr_with_countdown_and_scan_only_the_current_qr(wa_seller, sim):
    client = page_client(wa_seller)
    first = client.get(INBOX)
    assert first.status_code == 200 and b'data-testid="session-connect"' in first.content
    assert client.post(reverse("dashboard:whatsapp:session-connect"), headers=FETCH).status_code == 204
    session = WhatsAppSession.objects.get(store=wa_seller.store)
    sim.elapse(session.name, 2)
    panel = client.get(reverse("dashboard:whatsapp:session")).content.decode()
    assert 'data-state="SCAN_QR_CODE"' in panel and "data:image/svg+xml;base64," in panel
    assert re.search(r'data-expires="\d{4}-\d\d-\d\dT', panel)
    shown = re.search(r'name="qr" value="([^"]+)"', panel).group(1)
    # The QR rotates; the one shown before no longer links the phone.
    sim.elapse(session.name, 61)
    client.get(reverse("dashboard:whatsapp:session"))
    stale = client.post(reverse("dashboard:whatsapp:sim-scan"), {"qr": shown}, headers=FETCH)
    assert stale.status_code == 409 and "QR" in stale.content.decode()
    session.refresh_from_db()
    assert session.state == "SCAN_QR_CODE"
    ok = client.post(reverse("dashboard:whatsapp:sim-scan"), {"qr": session.qr}, headers=FETCH)
    assert ok.status_code == 204
    session.refresh_from_db()
    assert session.state == "WORKING"
    panel = client.get(reverse("dashboard:whatsapp:session")).content.decode()
    assert 'data-state="WORKING"' in panel and 'data-testid="sim-buyer"' in panel


def test_buyer_message_arrives_unread_then_reading_clears_it(wa_seller, linked, sim):
    client = page_client(wa_seller)
    assert (
        client.post(reverse("dashboard:whatsapp:sim-buyer"), {"text": "Kak, masih ada?"}, headers=FETCH).status_code
        == 204
    )
    sim.pump()
    chat = Chat.objects.get(session=linked)
    assert chat.unread_count == 1 and chat.name == "Bu Rina"
    listing = client.get(reverse("dashboard:whatsapp:list")).content.decode()
    assert "Kak, masih ada?" in listing and 'data-testid="unread-count"' in listing
    page = client.get(reverse("dashboard:whatsapp:chat", kwargs={"chat_id": chat.pk}))
    assert page.status_code == 200 and "Kak, masih ada?" in page.content.decode()
    chat.refresh_from_db()
    assert chat.unread_count == 0


def test_answer_product_card_and_qris_link_from_the_conversation(wa_seller, linked, buyer, settings):
    settings.SITE_URL = "https://tokoblitar.com"
    chat = Chat.objects.create(session=linked, remote_id="6281234567890@c.us", name="Siti")
    product = make_product(store=wa_seller.store, name="Sambal Pecel Bu Sri", price=25_000)
    order = place(buyer=buyer, product=product).order  # shipping phone 081234567890 = this chat
    client = page_client(wa_seller)
    page = client.get(reverse("dashboard:whatsapp:chat", kwargs={"chat_id": chat.pk})).content.decode()
    assert order.number in page and 'data-testid="send-qris"' in page and "Sambal Pecel Bu Sri" in page
    send = reverse("dashboard:whatsapp:send", kwargs={"chat_id": chat.pk})
    assert client.post(send, {"text": "Masih,\r\nKak"}, headers=FETCH).status_code == 204
    quick = reverse("dashboard:whatsapp:quick", kwargs={"chat_id": chat.pk})
    card = client.post(quick, {"action": "product_card", "object_id": str(product.pk)}, headers=FETCH)
    qris = client.post(quick, {"action": "payment_link", "object_id": str(order.pk)}, headers=FETCH)
    assert card.status_code == 204 and qris.status_code == 204
    bodies = list(
        Message.objects.filter(chat=chat, direction="out").order_by("created_at").values_list("body", "status")
    )
    assert bodies[0] == ("Masih,\nKak", "queued")  # a textarea's CRLF stored as WhatsApp's LF
    assert bodies[1][0].startswith("*Sambal Pecel Bu Sri*") and f"/pay/{order.pk}/" in bodies[2][0]
    thread = client.get(reverse("dashboard:whatsapp:messages", kwargs={"chat_id": chat.pk})).content.decode()
    assert thread.count('data-status="queued"') == 3 and thread.count('data-testid="tick"') == 3


def test_without_javascript_the_forms_redirect_with_a_message(wa_seller, linked):
    chat = Chat.objects.create(session=linked, remote_id="6281234567890@c.us")
    client = page_client(wa_seller)
    response = client.post(reverse("dashboard:whatsapp:send", kwargs={"chat_id": chat.pk}), {"text": "  "})
    assert response.status_code == 302 and response["Location"].endswith(f"/whatsapp/{chat.pk}/")
    follow = client.get(response["Location"]).content.decode()
    assert "alert-error" in follow or "1 sampai 4096" in follow or "1 to 4096" in follow
    assert not Message.objects.filter(direction="out").exists()


def test_failed_message_shows_its_reason(wa_seller, linked):
    chat = Chat.objects.create(session=linked, remote_id="6281234567890@c.us")
    Message.objects.create(
        session=linked, chat=chat, direction="out", body="halo", status="failed", status_rank=2,
        error_code="131047", error_reason="Re-engagement message",
    )  # fmt: skip
    thread = page_client(wa_seller).get(reverse("dashboard:whatsapp:messages", kwargs={"chat_id": chat.pk}))
    text = thread.content.decode()
    assert 'data-status="failed"' in text and "Re-engagement message" in text and "131047" in text


# --- ownership and bad input ----------------------------------------------------------------


def test_another_stores_chat_is_404_and_nothing_changes(wa_seller, linked, other_seller):
    from whatsapp.tests.conftest import inbox_on

    inbox_on(other_seller)
    chat = add_chat(linked, 1)
    label = ChatLabel.objects.create(store=wa_seller.store, name="VIP")
    other = page_client(other_seller)
    kw = {"chat_id": chat.pk}
    assert other.get(reverse("dashboard:whatsapp:chat", kwargs=kw)).status_code == 404
    assert other.get(reverse("dashboard:whatsapp:messages", kwargs=kw)).status_code == 404
    assert other.post(reverse("dashboard:whatsapp:send", kwargs=kw), {"text": "hai"}).status_code == 404
    assert other.post(reverse("dashboard:whatsapp:send", kwargs=kw), {"text": "hai"}, headers=FETCH).status_code == 404
    assert other.post(reverse("dashboard:whatsapp:chat-labels", kwargs=kw), {"labels": [label.pk]}).status_code == 404
    assert other.post(reverse("dashboard:whatsapp:label-delete", kwargs={"label_id": label.pk})).status_code == 404
    chat.refresh_from_db()
    assert chat.unread_count == 1 and not chat.labels.exists()
    assert not Message.objects.filter(direction="out").exists() and ChatLabel.objects.filter(pk=label.pk).exists()
    # ...and her own label cannot be put on a chat through someone else's label id.
    theirs = ChatLabel.objects.create(store=other_seller.store, name="Lain")
    mine = page_client(wa_seller)
    response = mine.post(
        reverse("dashboard:whatsapp:chat-labels", kwargs=kw), {"labels": [label.pk, theirs.pk]}, headers=FETCH
    )
    assert response.status_code == 404 and not chat.labels.exists()


def test_bad_quick_actions_are_4xx_and_send_nothing(wa_seller, linked, other_seller, buyer):
    chat = add_chat(linked, 2)
    quick = reverse("dashboard:whatsapp:quick", kwargs={"chat_id": chat.pk})
    client = page_client(wa_seller)
    foreign = make_product(store=other_seller.store)
    paid_product = make_product(store=wa_seller.store)
    cases = [
        ({"action": "product_card", "object_id": ""}, 400),
        ({"action": "product_card", "object_id": "abc"}, 400),
        ({"action": "explode", "object_id": str(paid_product.pk)}, 400),
        ({"action": "product_card", "object_id": str(foreign.pk)}, 404),
        ({"action": "payment_link", "object_id": str(uuid.uuid4())}, 404),
    ]
    for data, status in cases:
        assert client.post(quick, data, headers=FETCH).status_code == status, data
    assert (
        client.post(
            reverse("dashboard:whatsapp:session-action", kwargs={"action": "explode"}), headers=FETCH
        ).status_code
        == 400
    )
    assert not Message.objects.filter(direction="out").exists()


# --- list: search, labels, query count --------------------------------------------------------


def test_search_by_name_phone_and_text_and_filter_by_label(wa_seller, linked):
    a = add_chat(linked, 11, text="ongkir ke Wlingi berapa?")
    b = add_chat(linked, 12, text="bisa COD?")
    Chat.objects.filter(pk=b.pk).update(name="Bu Sulastri")
    vip = ChatLabel.objects.create(store=wa_seller.store, name="VIP", colour="purple")
    client = page_client(wa_seller)
    assert (
        client.post(
            reverse("dashboard:whatsapp:chat-labels", kwargs={"chat_id": a.pk}), {"labels": [vip.pk]}, headers=FETCH
        ).status_code
        == 204
    )

    def ids(query: str) -> set[str]:
        html = client.get(INBOX + query).content.decode()
        return set(re.findall(r'data-chat-id="([0-9a-f-]+)"', html))

    assert ids("?q=wlingi") == {str(a.pk)}
    assert ids("?q=sulastri") == {str(b.pk)}
    assert ids("?q=0812-0000-0012") == {str(b.pk)}  # written as people write it
    assert ids(f"?label={vip.pk}") == {str(a.pk)}
    assert ids("?q=tidak-ada-yang-cocok") == set()
    assert ids("?label=abc") == {str(a.pk), str(b.pk)}  # a bad filter is ignored


def test_chat_list_page_query_count_does_not_grow_with_chats(wa_seller, linked, django_assert_max_num_queries):
    client = page_client(wa_seller)
    labels = [ChatLabel.objects.create(store=wa_seller.store, name=f"L{i}") for i in range(3)]
    for n in range(3):
        add_chat(linked, 100 + n).labels.set(labels)
    client.get(INBOX)  # warm: session, caches
    with django_assert_max_num_queries(25) as few:
        client.get(INBOX)
    for n in range(30):
        add_chat(linked, 200 + n).labels.set(labels)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INBOX)
    assert response.content.decode().count('data-testid="chat-item"') == 33


# --- canned replies and labels --------------------------------------------------------------


def test_canned_replies_are_managed_and_filled_for_the_chat(wa_seller, linked):
    client = page_client(wa_seller)
    settings_url = reverse("dashboard:whatsapp:settings")
    text = "Halo {nama}, terima kasih sudah belanja di {toko}. Total {total}."
    assert client.post(settings_url, {"form": "canned", "shortcut": "/Makasih", "text": text}).status_code == 302
    reply = CannedReply.objects.get(store=wa_seller.store)
    assert reply.shortcut == "makasih"
    # Same shortcut again, a bad shortcut, an empty text: 4xx, nothing more stored.
    dup = client.post(settings_url, {"form": "canned", "shortcut": "makasih", "text": "lain"})
    # Shown once, under the field it is about (not also in a banner above the form).
    assert dup.status_code == 409 and b'data-testid="canned-error"' not in dup.content
    assert dup.content.decode().count('class="errorlist"') == 1
    assert client.post(settings_url, {"form": "canned", "shortcut": "a b!", "text": "x"}).status_code == 400
    assert client.post(settings_url, {"form": "canned", "shortcut": "ok", "text": "  "}).status_code == 400
    assert CannedReply.objects.count() == 1
    # Edit keeps one row.
    response = client.post(
        settings_url, {"form": "canned", "shortcut": "makasih", "text": "Makasih {nama}!", "reply_id": reply.pk}
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert reply.text == "Makasih {nama}!"
    chat = add_chat(linked, 5)
    page = client.get(reverse("dashboard:whatsapp:chat", kwargs={"chat_id": chat.pk})).content.decode()
    assert 'data-fill="Makasih Pembeli 5!"' in page
    assert client.post(reverse("dashboard:whatsapp:canned-delete", kwargs={"reply_id": reply.pk})).status_code == 302
    assert not CannedReply.objects.exists()


def test_labels_are_created_once_with_a_palette_colour(wa_seller):
    client = page_client(wa_seller)
    url = reverse("dashboard:whatsapp:settings")
    assert client.post(url, {"form": "label", "name": "Belum bayar", "colour": "amber"}).status_code == 302
    assert client.post(url, {"form": "label", "name": "belum BAYAR", "colour": "red"}).status_code == 409
    assert client.post(url, {"form": "label", "name": "X", "colour": "#ff0000;"}).status_code == 400
    assert client.post(url, {"form": "label", "name": "", "colour": "red"}).status_code == 400
    assert list(ChatLabel.objects.values_list("name", "colour")) == [("Belum bayar", "amber")]
    page = client.get(url).content.decode()
    assert "wa-c-amber" in page


def test_pages_speak_english_when_asked(wa_seller, linked):
    client = page_client(wa_seller)
    client.cookies["django_language"] = "en"
    html = client.get(INBOX, headers={"Accept-Language": "en"}).content.decode()
    assert "WhatsApp inbox" in html and "Kotak masuk WhatsApp" not in html


def test_degraded_health_is_shown_honestly_and_logout_restart_work(wa_seller, linked):
    from datetime import timedelta

    from django.utils import timezone

    chat = add_chat(linked, 7)
    old = timezone.now() - timedelta(minutes=5)
    stuck = Message.objects.create(session=linked, chat=chat, direction="out", body="halo", status="queued")
    Message.objects.filter(pk=stuck.pk).update(created_at=old)
    WhatsAppSession.objects.filter(pk=linked.pk).update(last_event_at=old)
    client = page_client(wa_seller)
    panel = client.get(reverse("dashboard:whatsapp:session")).content.decode()
    # The gateway still says WORKING; the page says what we know: silent while a send hangs.
    assert 'data-state="WORKING"' in panel and 'data-health="degraded"' in panel
    assert 'data-testid="session-degraded"' in panel
    logout = reverse("dashboard:whatsapp:session-action", kwargs={"action": "logout"})
    assert client.post(logout, headers=FETCH).status_code == 204
    linked.refresh_from_db()
    assert linked.state == "STOPPED"
    panel = client.get(reverse("dashboard:whatsapp:session")).content.decode()
    assert 'data-testid="session-start"' in panel and 'data-testid="sim-buyer"' not in panel
    # Logged out: no account is linked any more, and one clear action ("Hubungkan lagi").
    assert "Akun tertaut" not in panel and linked.me_id == ""
    assert "Hubungkan lagi" in panel and 'data-testid="session-restart"' not in panel
    restart = reverse("dashboard:whatsapp:session-action", kwargs={"action": "restart"})
    assert client.post(restart).status_code == 302  # without JavaScript: back to the inbox
    linked.refresh_from_db()
    assert linked.state in ("STARTING", "SCAN_QR_CODE")


def test_session_panel_speaks_to_people(wa_seller, linked):
    from django.utils import timezone

    WhatsAppSession.objects.filter(pk=linked.pk).update(last_event_at=timezone.now(), last_ack=3)
    panel = page_client(wa_seller).get(reverse("dashboard:whatsapp:session")).content.decode()
    assert "baru saja" in panel and "0 menit" not in panel
    assert "Dibaca pembeli" in panel and "READ (3)" not in panel and 'data-ack="READ"' in panel
    assert ">WORKING<" not in panel and 'data-state="WORKING"' in panel
    assert "Mulai ulang sesi" in panel and "Akun tertaut" in panel


def test_chat_list_preview_strips_whatsapp_markup_and_order_panel_counts_what_it_lists(wa_seller, linked, buyer):
    chat = add_chat(linked, 9, text="*Keripik Tempe* _pedas_ ~mahal~")
    Chat.objects.filter(pk=chat.pk).update(
        last_message="*Keripik Tempe* _pedas_ ~mahal~", remote_id="6281234567890@c.us"
    )
    Contact.objects.filter(pk=chat.contact_id).update(phone="6281234567890")
    client = page_client(wa_seller)
    listing = client.get(reverse("dashboard:whatsapp:inbox")).content.decode()
    assert "Keripik Tempe pedas mahal" in listing and "*Keripik" not in listing
    product = make_product(store=wa_seller.store, stock=50)
    for _n in range(6):
        place(buyer=buyer, product=product)
    page = client.get(reverse("dashboard:whatsapp:chat", kwargs={"chat_id": chat.pk})).content.decode()
    assert page.count('data-testid="send-tracking"') == 5
    assert re.search(r'data-testid="orders-count">\s*5 terbaru', page)
    assert '</strong></a> <span class="pill' in page  # number and status pill apart
    settings_page = client.get(reverse("dashboard:whatsapp:settings")).content.decode()
    assert "Tambah label" in settings_page
