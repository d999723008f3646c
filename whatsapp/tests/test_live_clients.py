"""The live clients against local fakes of WAHA and the Graph API on 127.0.0.1 (no real network),
and the seed routes running on them through the registry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import client_for
from tokoblitar.providers import provider_config
from whatsapp.gateways import get_whatsapp_gateway
from whatsapp.gateways.base import GatewayError, SessionStateError
from whatsapp.gateways.cloud import CloudApiGateway
from whatsapp.gateways.waha import WahaGateway
from whatsapp.models import Chat, Message, WhatsAppSession
from whatsapp.tasks import message_send_task
from whatsapp.tests.fakes import fake_graph, fake_waha

KEY = "waha-api-key-test"
TOKEN = "EAAG-test-token"
PHONE_ID = "106540352242922"


def waha(fake, key: str = KEY) -> WahaGateway:
    return WahaGateway(api_key=key, base_url=fake.url, hmac_key="hmac-k", webhook_url="http://x/api/webhooks/waha")


def test_waha_sessions_qr_send_and_the_422_state_guard():
    with fake_waha(KEY) as fake:
        gateway = waha(fake)
        assert gateway.session_start("tb-1").status == "STARTING"
        config = fake.sessions["tb-1"]["config"]["webhooks"][0]
        assert config["hmac"] == {"key": "hmac-k"} and config["url"] == "http://x/api/webhooks/waha"
        assert {"message", "message.ack", "session.status"} <= set(config["events"])
        assert gateway.session_start("tb-1").status == "STARTING"  # exists: started again, no error
        with pytest.raises(SessionStateError) as guard:
            gateway.qr_raw("tb-1")
        assert (guard.value.state, guard.value.expected, guard.value.status) == ("STARTING", ["SCAN_QR_CODE"], 422)
        fake.set_status("tb-1", "SCAN_QR_CODE")
        assert gateway.qr_raw("tb-1").value == fake.sessions["tb-1"]["qr"]
        with pytest.raises(SessionStateError) as guard:
            gateway.send_text("tb-1", "6281234567890@c.us", "Halo")
        assert guard.value.expected == ["WORKING"] and guard.value.retryable
        fake.set_status("tb-1", "WORKING")
        status = gateway.session_status("tb-1")
        assert status.status == "WORKING" and status.me == "6285100000009@c.us"
        sent = gateway.send_text("tb-1", "6281234567890@c.us", "Halo kak")
        assert sent.id == fake.sent[0]["id"] and fake.sent[0]["text"] == "Halo kak"
        assert gateway.session_logout("tb-1").status == "STOPPED"
        assert ("POST", "/api/sessions/tb-1/logout") in fake.requests


def test_waha_wrong_api_key_is_a_non_retryable_error():
    with fake_waha(KEY) as fake:
        with pytest.raises(GatewayError) as error:
            waha(fake, key="wrong").session_status("tb-1")
        assert error.value.status == 401 and not error.value.retryable


def test_waha_unreachable_is_retryable():
    gateway = WahaGateway(api_key=KEY, base_url="http://127.0.0.1:9", hmac_key="k", timeout=2)
    with pytest.raises(GatewayError) as error:
        gateway.session_status("tb-1")
    assert error.value.retryable and error.value.code == "network"


def cloud(fake, token: str = TOKEN) -> CloudApiGateway:
    return CloudApiGateway(
        access_token=token, phone_number_id=PHONE_ID, app_secret="s", verify_token="v", base_url=fake.url
    )


def test_graph_send_and_its_error_envelope():
    with fake_graph(TOKEN, PHONE_ID) as fake:
        sent = cloud(fake).send_text(PHONE_ID, "6281234567890", "Halo kak")
        assert sent.id.startswith("wamid.") and fake.sent[0]["text"] == {"body": "Halo kak", "preview_url": False}
        assert fake.sent[0]["to"] == "6281234567890" and fake.sent[0]["messaging_product"] == "whatsapp"
        with pytest.raises(GatewayError) as error:
            cloud(fake, token="expired").send_text(PHONE_ID, "6281234567890", "x")
        assert error.value.code == "190" and not error.value.retryable
        assert str(error.value).startswith("Error validating access token")
        with pytest.raises(GatewayError) as error:
            cloud(fake).send_text(PHONE_ID, "abc", "x")
        assert error.value.code == "131009" and "(to is invalid)" in str(error.value)
        fake.throttle = True
        with pytest.raises(GatewayError) as error:
            cloud(fake).send_text(PHONE_ID, "6281234567890", "x")
        assert error.value.code == "130429" and error.value.retryable


def test_registry_picks_waha_then_cloud_then_simulator(settings):
    settings.WHATSAPP_PROVIDER = ""
    settings.WAHA_API_KEY = settings.WHATSAPP_CLOUD_ACCESS_TOKEN = ""
    assert get_whatsapp_gateway().name == "simulator"
    settings.WHATSAPP_CLOUD_ACCESS_TOKEN = TOKEN
    assert provider_config("whatsapp").name == "WhatsApp Cloud API"
    assert provider_config("whatsapp").missing == ["phone_number_id", "app_secret", "verify_token"]
    settings.WAHA_API_KEY = KEY
    assert provider_config("whatsapp").backend == "whatsapp.gateways.waha.WahaGateway"
    settings.WHATSAPP_PROVIDER = "cloud"
    assert provider_config("whatsapp").backend == "whatsapp.gateways.cloud.CloudApiGateway"


def run_send_tasks() -> list[str]:
    outcomes = []
    for row in DBTaskResult.objects.filter(task_path="whatsapp.tasks.message_send_task").order_by("enqueued_at"):
        outcomes.append(message_send_task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]))
        row.delete()
    return outcomes


@pytest.mark.django_db
def test_seed_routes_on_live_waha(settings, wa_seller, django_capture_on_commit_callbacks):
    with fake_waha(KEY) as fake:
        settings.WHATSAPP_PROVIDER = "waha"
        settings.WAHA_API_KEY, settings.WAHA_BASE_URL, settings.WAHA_WEBHOOK_HMAC_KEY = KEY, fake.url, "hmac-k"
        client = client_for(wa_seller)
        session = client.post("/api/session/create", {}, format="json").json()["session"]
        assert session["provider"] == "waha" and session["state"] == "STARTING"
        name = session["name"]
        # Still starting: WAHA's 422 is no error for the seller, just "not yet".
        assert client.get(f"/api/qr?sessionId={session['id']}").json()["message"].startswith("QR not yet generated")
        fake.set_status(name, "SCAN_QR_CODE")
        body = client.get(f"/api/qr?sessionId={session['id']}").json()
        assert body["qr"] == fake.sessions[name]["qr"] and body["qr_expires_at"]
        fake.set_status(name, "WORKING")
        status = client.get(f"/api/session/status?sessionId={session['id']}").json()["session"]
        assert status["state"] == "WORKING" and status["me"] == "6285100000009@c.us"
        with django_capture_on_commit_callbacks(execute=True):
            sent = client.post(
                "/api/messages/send", {"sessionId": session["id"], "to": "+62 812-3456-7890", "message": "Halo"}
            )
        assert sent.status_code == 200
        assert run_send_tasks() == ["sent"]
        assert fake.sent[0]["chatId"] == "6281234567890@c.us" and fake.sent[0]["session"] == name
        assert Message.objects.get().provider_message_id == fake.sent[0]["id"]


@pytest.mark.django_db
def test_seed_routes_on_the_cloud_api(settings, wa_seller, django_capture_on_commit_callbacks):
    with fake_graph(TOKEN, PHONE_ID) as fake:
        settings.WHATSAPP_PROVIDER = "cloud"
        settings.WHATSAPP_CLOUD_ACCESS_TOKEN, settings.WHATSAPP_CLOUD_PHONE_NUMBER_ID = TOKEN, PHONE_ID
        settings.WHATSAPP_CLOUD_APP_SECRET = settings.WHATSAPP_CLOUD_VERIFY_TOKEN = "x"
        settings.WHATSAPP_CLOUD_BASE_URL = fake.url
        client = client_for(wa_seller)
        session = client.post("/api/session/create", {}, format="json").json()["session"]
        assert session["name"] == PHONE_ID and session["state"] == "WORKING"
        assert client.get(f"/api/qr?sessionId={session['id']}").json()["connected"] is True
        send = {"sessionId": session["id"], "to": "081234567890", "message": "Halo"}
        refused = client.post("/api/messages/send", send)  # she never wrote: no free text
        assert refused.status_code == 409 and refused.json()["code"] == "outside_24h_window"
        assert not Chat.objects.exists()  # nothing half-written
        Chat.objects.create(  # she wrote 23 hours ago
            session_id=session["id"], remote_id="6281234567890", last_inbound_at=timezone.now() - timedelta(hours=23)
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/api/messages/send", send).status_code == 200
        assert run_send_tasks() == ["sent"]
        message = Message.objects.get()
        assert message.provider_message_id == fake.sent[0]["id"] and fake.sent[0]["to"] == "6281234567890"
        assert WhatsAppSession.objects.get().provider == "cloud"
