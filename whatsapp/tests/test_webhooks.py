"""Both webhooks: signatures (WAHA's published test vector, Meta's X-Hub-Signature-256), the
Cloud API verification handshake, idempotency under retries and duplicates, out-of-order
statuses, `@lid` senders and the asynchronous 131047 failure."""

from __future__ import annotations

import json
import random

import pytest
from django.test import Client

from stores.models import Store
from webhooks.models import ProviderNotification
from whatsapp.gateways.base import meta_signature, waha_hmac, waha_hmac_valid
from whatsapp.models import STATUS_RANK, Chat, Contact, Message, WhatsAppSession

pytestmark = pytest.mark.django_db
APP_SECRET = "cloud-app-secret-for-tests"
PHONE_ID = "106540352242922"


def test_waha_published_hmac_test_vector():
    body = b'{"event":"message","session":"default","engine":"WEBJS"}'
    expected = (
        "208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8"
        "097c462b2b17a6ce93b6b47a136cf2e78a33a63f6752c2c1631777076153fa89"
    )
    assert waha_hmac("my-secret-key", body) == expected
    assert waha_hmac_valid("my-secret-key", body, expected.upper())
    assert not waha_hmac_valid("my-secret-key", body + b" ", expected)


# --- WAHA ------------------------------------------------------------------------------------


@pytest.fixture
def waha_session(seller) -> WhatsAppSession:
    return WhatsAppSession.objects.create(store=seller.store, name="tb-test", provider="simulator", state="WORKING")


def waha_post(settings, event: dict, *, key: str | None = None, signature: str | None = None):
    raw = json.dumps(event).encode()
    sig = signature if signature is not None else waha_hmac(key or settings.SIMULATOR_SECRET, raw)
    return Client().post(
        "/api/webhooks/waha",
        data=raw,
        content_type="application/json",
        headers={"X-Webhook-Hmac": sig, "X-Webhook-Hmac-Algorithm": "sha512"},
    )


def inbound(message_id: str = "false_6281234567890@c.us_AAA", sender: str = "6281234567890@c.us", **extra) -> dict:
    return {
        "id": "evt_" + str(random.randint(1, 10**12)),
        "timestamp": 1764561600000,
        "event": "message",
        "session": "tb-test",
        "me": {"id": "6285100000001@c.us", "pushName": "Toko"},
        "payload": {
            "id": message_id,
            "timestamp": 1764561600,
            "from": sender,
            "fromMe": False,
            "body": "Kak, masih ada?",
            "hasMedia": False,
            "_data": {"notifyName": "Bu Rina"},
            **extra,
        },
        "engine": "WEBJS",
    }


def ack(message_id: str, value: int) -> dict:
    return {
        "id": "evt_ack" + str(random.randint(1, 10**12)),
        "event": "message.ack",
        "session": "tb-test",
        "payload": {"id": message_id, "fromMe": True, "ack": value},
    }


def test_waha_webhook_accepts_the_right_signature_only(settings, waha_session):
    assert waha_post(settings, inbound(), signature="0" * 128).status_code == 403
    assert waha_post(settings, inbound(), signature="").status_code == 403
    assert waha_post(settings, inbound(), key="someone-elses-key").status_code == 403
    assert not Message.objects.exists()
    assert not ProviderNotification.objects.filter(provider="waha").exclude(body="").exists()  # no bodies kept
    response = waha_post(settings, inbound())
    assert response.status_code == 200 and response.json() == {"success": True, "outcome": "stored"}
    assert Message.objects.count() == 1


def test_a_webhook_retried_15_times_and_duplicated_creates_one_message(settings, waha_session):
    event = inbound()
    outcomes = [waha_post(settings, event).json()["outcome"] for _ in range(15)]
    duplicate = {**event, "id": "evt_other_delivery"}  # the same message under another event id
    outcomes.append(waha_post(settings, duplicate).json()["outcome"])
    assert outcomes == ["stored"] + ["duplicate"] * 15
    assert Message.objects.count() == 1
    chat = Chat.objects.get()
    assert chat.unread_count == 1 and chat.last_message == "Kak, masih ada?"
    assert ProviderNotification.objects.filter(provider="waha", signature_valid=True).count() == 16


def test_lid_sender_gets_a_contact_without_phone(settings, waha_session):
    waha_post(settings, inbound("false_128473649273645@lid_B", sender="128473649273645@lid"))
    waha_post(settings, inbound("false_6281234567890@c.us_C"))
    lid = Contact.objects.get(gateway_id="128473649273645@lid")
    assert lid.phone == "" and lid.name == "Bu Rina"
    assert Contact.objects.get(gateway_id="6281234567890@c.us").phone == "6281234567890"
    assert Chat.objects.filter(remote_id="128473649273645@lid").count() == 1


@pytest.mark.parametrize("sender", ["120363025246125486@g.us", "status@broadcast"])
def test_group_and_status_messages_are_not_inbox_chats(settings, waha_session, sender):
    assert waha_post(settings, inbound(f"false_{sender}_Z", sender=sender)).json()["outcome"] == "ignored"
    assert not Chat.objects.exists() and not Message.objects.exists()


def _outgoing(session: WhatsAppSession, provider_id: str) -> Message:
    chat = Chat.objects.create(session=session, remote_id="6281234567890@c.us")
    return Message.objects.create(
        session=session,
        chat=chat,
        direction="out",
        body="Halo",
        status="queued",
        status_rank=STATUS_RANK["queued"],
        provider_message_id=provider_id,
    )


def test_acks_arriving_out_of_order_never_move_a_message_back(settings, waha_session):
    message = _outgoing(waha_session, "true_6281234567890@c.us_X")
    outcomes = [waha_post(settings, ack(message.provider_message_id, a)).json()["outcome"] for a in (3, 1, 2, 0, 3)]
    assert outcomes == ["applied", "stale_status", "stale_status", "ignored", "stale_status"]
    message.refresh_from_db()
    assert (message.status, message.ack) == ("read", 3)
    assert WhatsAppSession.objects.get(pk=waha_session.pk).last_ack == 3  # the last one heard


def test_ack_error_fails_the_message(settings, waha_session):
    message = _outgoing(waha_session, "true_6281234567890@c.us_Y")
    waha_post(settings, ack(message.provider_message_id, -1))
    message.refresh_from_db()
    assert message.status == "failed" and message.error_code == "ack_error"


def test_session_status_event_records_the_state_and_last_event(settings, waha_session):
    event = {"id": "evt_s", "event": "session.status", "session": "tb-test", "payload": {"status": "FAILED"}}
    assert waha_post(settings, event).json()["outcome"] == "session_status"
    waha_session.refresh_from_db()
    assert waha_session.state == "FAILED" and waha_session.last_event_at is not None


def test_unknown_session_is_answered_without_a_change(settings, waha_session):
    event = {**inbound(), "session": "someone-else"}
    assert waha_post(settings, event).json()["outcome"] == "unknown_session"
    assert not Message.objects.exists()


# --- Cloud API -------------------------------------------------------------------------------


@pytest.fixture
def cloud(settings, seller) -> WhatsAppSession:
    settings.WHATSAPP_CLOUD_APP_SECRET = APP_SECRET
    settings.WHATSAPP_CLOUD_VERIFY_TOKEN = "verify-me"
    return WhatsAppSession.objects.create(store=seller.store, name=PHONE_ID, provider="cloud", state="WORKING")


def cloud_post(payload: dict, *, secret: str = APP_SECRET, header: str | None = None):
    raw = json.dumps(payload).encode()
    headers = {} if header == "" else {"X-Hub-Signature-256": header or meta_signature(secret, raw)}
    return Client().post("/api/webhook", data=raw, content_type="application/json", headers=headers)


def cloud_change(**value) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "WABA_ID",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "6285100000001", "phone_number_id": PHONE_ID},
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def cloud_text(wamid: str = "wamid.IN1", wa_id: str | None = "6281234567890", user_id: str | None = None) -> dict:
    contact: dict = {"profile": {"name": "Bu Rina"}}
    if wa_id:
        contact["wa_id"] = wa_id
    if user_id:
        contact["user_id"] = user_id
    sender = wa_id or user_id
    message = {"from": sender, "id": wamid, "timestamp": "1764561600", "type": "text", "text": {"body": "Bisa COD?"}}
    return cloud_change(contacts=[contact], messages=[message])


def cloud_status(wamid: str, status: str, errors: list | None = None) -> dict:
    item: dict = {"id": wamid, "status": status, "timestamp": "1764561700", "recipient_id": "6281234567890"}
    if errors:
        item["errors"] = errors
    return cloud_change(statuses=[item])


def test_cloud_verification_answers_the_challenge_as_plain_text(cloud):
    response = Client().get("/api/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444")
    assert response.status_code == 200 and response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")
    wrong = Client().get("/api/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444")
    assert wrong.status_code == 403 and wrong.json() == {"error": "Verification failed"}


def test_cloud_verification_refused_when_no_token_is_configured(settings):
    settings.WHATSAPP_CLOUD_VERIFY_TOKEN = ""
    response = Client().get("/api/webhook?hub.mode=subscribe&hub.verify_token=&hub.challenge=1")
    assert response.status_code == 403


def test_cloud_post_is_verified_on_the_raw_body(cloud):
    assert cloud_post(cloud_text(), header="").status_code == 401
    refused = cloud_post(cloud_text(), secret="wrong-secret")
    assert refused.status_code == 403 and refused.json() == {"error": "Invalid signature", "code": "bad_signature"}
    assert cloud_post(cloud_text(), header="sha256=" + "0" * 64).status_code == 403
    assert not Message.objects.exists()
    response = cloud_post(cloud_text())
    assert response.status_code == 200 and response.json() == {"success": True, "outcome": "stored"}
    message = Message.objects.get()
    assert message.body == "Bisa COD?" and message.direction == "in"
    assert Contact.objects.get().phone == "6281234567890"


def test_cloud_duplicates_store_one_message(cloud):
    outcomes = [cloud_post(cloud_text()).json()["outcome"] for _ in range(5)]
    assert outcomes == ["stored"] + ["duplicate"] * 4
    assert Message.objects.count() == 1 and Chat.objects.get().unread_count == 1


def test_cloud_sender_without_wa_id_has_no_phone(cloud):
    cloud_post(cloud_text(wa_id=None, user_id="ID.1234567890abcdef"))
    contact = Contact.objects.get()
    assert contact.gateway_id == "ID.1234567890abcdef" and contact.phone == ""


def test_cloud_statuses_out_of_order(cloud):
    message = _outgoing(cloud, "wamid.OUT1")
    for status in ("read", "sent", "delivered"):
        cloud_post(cloud_status("wamid.OUT1", status))
    message.refresh_from_db()
    assert message.status == "read"
    # Meta: `delivered` may follow `failed` for a multi-device user; it did arrive.
    other = Message.objects.create(
        session=cloud, chat=message.chat, direction="out", body="b", status="queued", provider_message_id="wamid.OUT2"
    )
    cloud_post(cloud_status("wamid.OUT2", "failed", [{"code": 131026, "title": "Message undeliverable"}]))
    cloud_post(cloud_status("wamid.OUT2", "delivered"))
    cloud_post(cloud_status("wamid.OUT2", "sent"))
    other.refresh_from_db()
    assert other.status == "delivered"


def test_outside_the_24_hour_window_the_message_fails_with_131047(cloud):
    message = _outgoing(cloud, "wamid.LATE")
    errors = [
        {
            "code": 131047,
            "title": "Re-engagement message",
            "message": "Re-engagement message",
            "error_data": {
                "details": (
                    "Message failed to send because more than 24 hours have passed since the customer "
                    "last replied to this number."
                )
            },
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        }
    ]
    assert cloud_post(cloud_status("wamid.LATE", "failed", errors)).json()["outcome"] == "applied"
    message.refresh_from_db()
    assert message.status == "failed" and message.error_code == "131047"
    assert message.error_reason.startswith("Re-engagement message - Message failed to send because more than 24 hours")


def test_cloud_webhook_for_another_number_changes_nothing(cloud):
    payload = cloud_text()
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert cloud_post(payload).json()["outcome"] == "unknown_session"
    assert not Message.objects.exists() and Store.objects.count() == 1
