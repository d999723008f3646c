"""Early acks (before the send task saved the provider id), `@lid` senders resolved through
WAHA's lids API (live fake and simulator), and Cloud API templates with the 24-hour window."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import client_for
from orders.tests.factories import make_product, place
from whatsapp.gateways.base import GatewayError, waha_hmac
from whatsapp.gateways.cloud import CloudApiGateway
from whatsapp.gateways.simulator import BUYER_LID
from whatsapp.models import Chat, Contact, Message, PendingAck, WhatsAppSession
from whatsapp.selectors import chat_orders_for_store
from whatsapp.tests.fakes import fake_graph, fake_waha
from whatsapp.tests.test_media import run_tasks

pytestmark = pytest.mark.django_db
KEY = "waha-api-key-test"
HMAC = "hmac-k"
TOKEN = "EAAG-test-token"
PHONE_ID = "106540352242922"


@pytest.fixture(autouse=True)
def _no_cached_templates():
    cache.clear()
    yield
    cache.clear()


def waha_live(settings, fake) -> None:
    settings.WHATSAPP_PROVIDER = "waha"
    settings.WAHA_API_KEY, settings.WAHA_BASE_URL, settings.WAHA_WEBHOOK_HMAC_KEY = KEY, fake.url, HMAC


def waha_post(event: dict) -> dict:
    raw = json.dumps(event).encode()
    response = Client().post(
        "/api/webhooks/waha",
        data=raw,
        content_type="application/json",
        headers={"X-Webhook-Hmac": waha_hmac(HMAC, raw)},
    )
    assert response.status_code == 200, response.content
    return response.json()


def ack(message_id: str, value: int, session: str = "tb-live") -> dict:
    return {
        "id": f"evt_{message_id}_{value}",
        "event": "message.ack",
        "session": session,
        "payload": {"id": message_id, "fromMe": True, "ack": value},
    }


# --- early acks --------------------------------------------------------------------------------


def test_acks_that_beat_the_send_task_are_kept_and_applied_when_the_id_is_saved(
    settings, wa_seller, django_capture_on_commit_callbacks
):
    with fake_waha(KEY) as fake:
        waha_live(settings, fake)
        fake.sessions["tb-live"] = {"status": "WORKING", "config": {}}
        WhatsAppSession.objects.create(store=wa_seller.store, name="tb-live", provider="waha", state="WORKING")
        session_id = WhatsAppSession.objects.get().pk
        with django_capture_on_commit_callbacks(execute=True):
            sent = client_for(wa_seller).post(
                "/api/messages/send", {"sessionId": str(session_id), "to": "6281234567890", "message": "Halo"}
            )
        assert sent.status_code == 200
        fake.next_id = "true_6281234567890@c.us_EARLY1"
        # The phone acknowledged before our worker saved the id: out of order, READ before SERVER.
        assert waha_post(ack(fake.next_id, 3))["outcome"] == "pending_ack"
        assert waha_post(ack(fake.next_id, 1))["outcome"] == "pending_ack"
        assert waha_post(ack(fake.next_id, 3))["outcome"] == "pending_ack"  # a retried delivery: one row
        assert PendingAck.objects.count() == 2
        assert run_tasks("whatsapp.tasks.message_send_task") == ["sent"]
        message = Message.objects.get()
        assert (message.provider_message_id, message.status, message.ack) == (fake.next_id, "read", 3)
        assert not PendingAck.objects.exists()
        # Later deliveries of old acks never move it back.
        assert waha_post(ack(fake.next_id, 2))["outcome"] == "stale_status"
        message.refresh_from_db()
        assert message.status == "read"


def test_an_early_failed_ack_then_the_saved_id_marks_failed(settings, wa_seller, django_capture_on_commit_callbacks):
    with fake_waha(KEY) as fake:
        waha_live(settings, fake)
        fake.sessions["tb-live"] = {"status": "WORKING", "config": {}}
        session = WhatsAppSession.objects.create(
            store=wa_seller.store, name="tb-live", provider="waha", state="WORKING"
        )
        with django_capture_on_commit_callbacks(execute=True):
            client_for(wa_seller).post(
                "/api/messages/send", {"sessionId": str(session.pk), "to": "6281234567890", "message": "x"}
            )
        fake.next_id = "true_EARLYFAIL"
        waha_post(ack(fake.next_id, -1))
        assert run_tasks("whatsapp.tasks.message_send_task") == ["sent"]
        message = Message.objects.get()
        assert message.status == "failed" and message.error_code == "ack_error"


def test_old_unclaimed_pending_acks_are_dropped(settings, wa_seller):
    with fake_waha(KEY) as fake:
        waha_live(settings, fake)
        session = WhatsAppSession.objects.create(
            store=wa_seller.store, name="tb-live", provider="waha", state="WORKING"
        )
        waha_post(ack("true_FROM_THE_PHONE", 2))  # sent from the phone itself: never claimed
        PendingAck.objects.update(created_at=timezone.now() - timedelta(hours=2))
        waha_post(ack("true_ANOTHER", 1))
        assert list(PendingAck.objects.values_list("provider_message_id", flat=True)) == ["true_ANOTHER"]
        assert session.pending_acks.count() == 1


# --- @lid senders --------------------------------------------------------------------------------


def lid_message(message_id: str, sender: str) -> dict:
    return {
        "id": "evt_" + message_id,
        "event": "message",
        "session": "tb-live",
        "payload": {
            "id": message_id,
            "timestamp": 1764561600,
            "from": sender,
            "fromMe": False,
            "body": "Kak, pesanan saya sudah dikirim?",
            "hasMedia": False,
            "_data": {"notifyName": "Bu Rina"},
        },
    }


def test_lid_sender_is_resolved_once_and_finds_her_orders(
    settings, wa_seller, buyer, django_capture_on_commit_callbacks
):
    order = place(buyer=buyer, product=make_product(store=wa_seller.store)).order  # shipping phone 0812…
    with fake_waha(KEY) as fake:
        waha_live(settings, fake)
        WhatsAppSession.objects.create(store=wa_seller.store, name="tb-live", provider="waha", state="WORKING")
        lid = "233410098389095@lid"
        fake.lids[lid] = None  # WAHA does not know the number yet
        with django_capture_on_commit_callbacks(execute=True):
            assert waha_post(lid_message("false_L1", lid))["outcome"] == "stored"
        assert run_tasks("whatsapp.tasks.lid_resolve_task") == ["unknown"]
        contact = Contact.objects.get()
        assert contact.phone == "" and contact.lid_checked_at is not None
        with django_capture_on_commit_callbacks(execute=True):
            waha_post(lid_message("false_L2", lid))
        assert not DBTaskResult.objects.filter(task_path="whatsapp.tasks.lid_resolve_task").exists()  # cached
        # An hour later WAHA knows her number: the next message asks again.
        Contact.objects.update(lid_checked_at=timezone.now() - timedelta(hours=2))
        fake.lids[lid] = "6281234567890@c.us"
        with django_capture_on_commit_callbacks(execute=True):
            waha_post(lid_message("false_L3", lid))
        assert run_tasks("whatsapp.tasks.lid_resolve_task") == ["resolved"]
        contact.refresh_from_db()
        assert contact.phone == "6281234567890"
        chat = Chat.objects.select_related("contact", "session").get()
        assert chat.remote_id == lid and [o.pk for o in chat_orders_for_store(chat=chat)] == [order.pk]
        lookups = [r for r in fake.requests if "/lids/" in r[1]]
        with django_capture_on_commit_callbacks(execute=True):
            waha_post(lid_message("false_L4", lid))
        assert run_tasks("whatsapp.tasks.lid_resolve_task") == []  # a known number is kept for good
        assert [r for r in fake.requests if "/lids/" in r[1]] == lookups


def test_simulator_lid_mode_answers_the_lids_api(wa_seller, sim, django_capture_on_commit_callbacks):
    from whatsapp.tests.test_api import linked

    client = client_for(wa_seller)
    session_id = linked(client, sim)
    name = WhatsAppSession.objects.get(pk=session_id).name
    sim.configure(name, buyer_lid=True)
    assert sim.lid_phone(name, BUYER_LID) == "6281234567890@c.us" and sim.lid_phone(name, "1@lid") is None
    sim.buyer_write(name, "Kak, bisa COD?")
    with django_capture_on_commit_callbacks(execute=True):
        sim.pump()
    assert run_tasks("whatsapp.tasks.lid_resolve_task") == ["resolved"]
    assert Contact.objects.get(gateway_id=BUYER_LID).phone == "6281234567890"


# --- templates and the 24-hour window ------------------------------------------------------------


GRAPH_TEMPLATES = [
    {
        "name": "status_pesanan",
        "language": "id",
        "status": "APPROVED",
        "category": "UTILITY",
        "components": [{"type": "BODY", "text": "Halo {{1}}, pesanan {{2}} sudah dikirim."}],
    },
    {
        "name": "promo_lebaran",
        "language": "id",
        "status": "REJECTED",
        "category": "MARKETING",
        "components": [{"type": "BODY", "text": "Diskon!"}],
    },
    {
        "name": "pengingat_bayar",
        "language": "id",
        "status": "APPROVED",
        "category": "UTILITY",
        "components": [{"type": "HEADER", "format": "TEXT", "text": "x"}, {"type": "BODY", "text": "Bayar {{1}}"}],
    },
]


def test_graph_templates_list_and_send():
    with fake_graph(TOKEN, PHONE_ID) as fake:
        fake.templates = GRAPH_TEMPLATES
        gateway = CloudApiGateway(
            access_token=TOKEN,
            phone_number_id=PHONE_ID,
            app_secret="s",
            verify_token="v",
            waba_id=fake.waba_id,
            base_url=fake.url,
        )
        found = gateway.templates_list()  # two pages; the rejected one is left out
        assert [(t.name, t.params) for t in found] == [("status_pesanan", 2), ("pengingat_bayar", 1)]
        sent = gateway.send_template(
            PHONE_ID, "6281234567890", name="status_pesanan", language="id", params=["Rina", "TB-1"]
        )
        assert sent.id.startswith("wamid.")
        assert fake.sent[0]["template"]["components"][0]["parameters"][1] == {"type": "text", "text": "TB-1"}
        with pytest.raises(GatewayError) as error:
            gateway.send_template(PHONE_ID, "6281234567890", name="status_pesanan", language="id", params=["x"])
        assert error.value.code == "132000"


def test_cloud_outside_the_window_template_allowed_text_refused(
    settings, wa_seller, django_capture_on_commit_callbacks
):
    with fake_graph(TOKEN, PHONE_ID) as fake:
        fake.templates = GRAPH_TEMPLATES
        settings.WHATSAPP_PROVIDER = "cloud"
        settings.WHATSAPP_CLOUD_ACCESS_TOKEN, settings.WHATSAPP_CLOUD_PHONE_NUMBER_ID = TOKEN, PHONE_ID
        settings.WHATSAPP_CLOUD_APP_SECRET = settings.WHATSAPP_CLOUD_VERIFY_TOKEN = "x"
        settings.WHATSAPP_CLOUD_BASE_URL, settings.WHATSAPP_CLOUD_WABA_ID = fake.url, fake.waba_id
        session = WhatsAppSession.objects.create(
            store=wa_seller.store, name=PHONE_ID, provider="cloud", state="WORKING"
        )
        chat = Chat.objects.create(
            session=session, remote_id="6281234567890", last_inbound_at=timezone.now() - timedelta(hours=25)
        )
        client = client_for(wa_seller)
        text = client.post(
            "/api/messages/send", {"sessionId": str(session.pk), "to": "6281234567890", "message": "Hai"}
        )
        assert text.status_code == 409 and text.json()["code"] == "outside_24h_window"
        route = f"/api/whatsapp/chats/{chat.pk}/templates"
        listed = client.get(route).json()["data"]
        assert listed["window"] == {"free_text": False, "expires_at": None, "templates_only": True}
        assert [t["name"] for t in listed["templates"]] == ["status_pesanan", "pengingat_bayar"]
        with django_capture_on_commit_callbacks(execute=True):
            sent = client.post(
                route, {"name": "status_pesanan", "language": "id", "params": ["Rina", "TB-9"]}, format="json"
            )
        assert sent.status_code == 201, sent.content
        body = sent.json()["data"]
        assert body["kind"] == "template" and body["body"] == "Halo Rina, pesanan TB-9 sudah dikirim."
        assert run_tasks("whatsapp.tasks.message_send_task") == ["sent"]
        assert fake.sent[0]["type"] == "template" and fake.sent[0]["to"] == "6281234567890"
        assert Message.objects.get().provider_message_id == fake.sent[0]["id"]
        wrong = client.post(route, {"name": "status_pesanan", "language": "id", "params": ["Rina"]}, format="json")
        assert wrong.status_code == 400 and wrong.json()["meta"]["code"] == "invalid_params"
        rejected = client.post(route, {"name": "promo_lebaran", "language": "id", "params": []}, format="json")
        assert rejected.status_code == 404 and rejected.json()["meta"]["code"] == "template_not_found"
        # Inside the window the picker says free text is fine.
        Chat.objects.filter(pk=chat.pk).update(last_inbound_at=timezone.now() - timedelta(hours=1))
        assert client.get(route).json()["data"]["window"]["free_text"] is True


def test_simulator_offers_indonesian_templates(wa_seller, sim, django_capture_on_commit_callbacks):
    from whatsapp.tests.test_api import linked

    client = client_for(wa_seller)
    session_id = linked(client, sim)
    chat = Chat.objects.create(session_id=session_id, remote_id="6281234567890@c.us")
    route = f"/api/whatsapp/chats/{chat.pk}/templates"
    data = client.get(route).json()["data"]
    assert data["window"]["free_text"] is True
    assert {t["name"] for t in data["templates"]} == {"status_pesanan", "pengingat_pembayaran"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            route,
            {"name": "pengingat_pembayaran", "language": "id", "params": ["Bu Rina", "TB-7", "Rp25.000"]},
            format="json",
        )
    assert response.status_code == 201
    assert run_tasks("whatsapp.tasks.message_send_task") == ["sent"]
    assert Message.objects.get().body.startswith("Halo Bu Rina, pesanan TB-7 menunggu pembayaran Rp25.000")


def test_inbox_page_offers_the_template_picker_outside_the_window(
    settings, wa_seller, django_capture_on_commit_callbacks
):
    from conftest import PASSWORD

    with fake_graph(TOKEN, PHONE_ID) as fake:
        fake.templates = GRAPH_TEMPLATES
        settings.WHATSAPP_PROVIDER = "cloud"
        settings.WHATSAPP_CLOUD_ACCESS_TOKEN, settings.WHATSAPP_CLOUD_PHONE_NUMBER_ID = TOKEN, PHONE_ID
        settings.WHATSAPP_CLOUD_APP_SECRET = settings.WHATSAPP_CLOUD_VERIFY_TOKEN = "x"
        settings.WHATSAPP_CLOUD_BASE_URL, settings.WHATSAPP_CLOUD_WABA_ID = fake.url, fake.waba_id
        session = WhatsAppSession.objects.create(
            store=wa_seller.store, name=PHONE_ID, provider="cloud", state="WORKING"
        )
        chat = Chat.objects.create(
            session=session, remote_id="6281234567890", last_inbound_at=timezone.now() - timedelta(hours=25)
        )
        web = Client()
        assert web.login(email=wa_seller.email, password=PASSWORD)
        page = web.get(f"/dashboard/whatsapp/{chat.pk}/").content.decode()
        assert 'data-testid="template-picker"' in page and page.count('data-testid="template-form"') == 2
        route = f"/dashboard/whatsapp/{chat.pk}/template/"
        # A missing value is refused with the service's message and nothing is queued.
        refused = web.post(route, {"name": "status_pesanan", "language": "id", "param": ["Rina"]}, follow=True)
        assert not Message.objects.exists() and "2" in refused.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            done = web.post(route, {"name": "status_pesanan", "language": "id", "param": ["Rina", "TB-9"]})
        assert done.status_code == 302
        message = Message.objects.get()
        assert message.kind == "template" and message.body == "Halo Rina, pesanan TB-9 sudah dikirim."
        # Inside the window there is no picker: free text goes.
        Chat.objects.filter(pk=chat.pk).update(last_inbound_at=timezone.now())
        assert 'data-testid="template-picker"' not in web.get(f"/dashboard/whatsapp/{chat.pk}/").content.decode()
