"""Images in and out: both live gateways against their local fakes (WAHA `sendImage`, received
files, Graph media upload/download), the download task's checks (real image content, size), the
seller's image route, and the simulator's photo-sending buyer with acks on image sends."""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tasks_db.models import DBTaskResult
from PIL import Image

from conftest import client_for
from whatsapp.gateways.base import GatewayError, waha_hmac
from whatsapp.gateways.cloud import CloudApiGateway
from whatsapp.gateways.waha import WahaGateway
from whatsapp.models import Chat, Message, WhatsAppSession
from whatsapp.tests.fakes import fake_graph, fake_waha

KEY = "waha-api-key-test"
TOKEN = "EAAG-test-token"
PHONE_ID = "106540352242922"
HMAC = "hmac-k"


def picture(fmt: str = "PNG", size: tuple[int, int] = (64, 48), exif: bool = False) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", size, (200, 30, 30))
    if exif:
        data = img.getexif()
        data[0x8825] = {2: (7.0, 59.0, 0.0)}  # a GPS block: must not survive
        img.save(out, format=fmt, exif=data)
    else:
        img.save(out, format=fmt)
    return out.getvalue()


def run_tasks(path: str) -> list:
    outcomes = []
    for row in DBTaskResult.objects.filter(task_path=path, status="READY").order_by("enqueued_at"):
        from django.utils.module_loading import import_string

        task = import_string(path)
        outcomes.append(task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]))
        row.delete()
    return outcomes


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- live clients ----------------------------------------------------------------------------


def test_waha_send_image_download_media_and_lids():
    with fake_waha(KEY) as fake:
        gateway = WahaGateway(api_key=KEY, base_url=fake.url, hmac_key=HMAC)
        fake.sessions["tb-1"] = {"status": "WORKING", "config": {}}
        png = picture()
        sent = gateway.send_image("tb-1", "6281234567890@c.us", data=png, mime="image/png", filename="a.png")
        body = fake.sent[0]
        assert sent.id == body["id"] and body["chatId"] == "6281234567890@c.us"
        assert body["file"]["mimetype"] == "image/png" and base64.b64decode(body["file"]["data"]) == png
        gateway.send_image(
            "tb-1", "6281234567890@c.us", data=png, mime="image/png", filename="a.png", url="https://cdn.x/a.jpg"
        )
        assert fake.sent[1]["file"]["url"] == "https://cdn.x/a.jpg" and "data" not in fake.sent[1]["file"]
        fake.files["/api/files/tb-1/ABC.jpeg"] = (png, "image/jpeg")
        # WAHA may announce its files under another host name (its own view of itself).
        media = gateway.media_download("tb-1", "http://waha:3000/api/files/tb-1/ABC.jpeg", limit=10_000)
        assert media.data == png and media.mime == "image/jpeg"
        with pytest.raises(GatewayError) as error:
            gateway.media_download("tb-1", f"{fake.url}/api/files/tb-1/ABC.jpeg", limit=10)
        assert error.value.code == "too_large" and not error.value.retryable
        with pytest.raises(GatewayError) as error:  # never carry the API key elsewhere
            gateway.media_download("tb-1", "https://evil.example/steal", limit=10_000)
        assert error.value.code == "bad_media_url"
        fake.lids["128473649273645@lid"] = "6281234567890@c.us"
        assert gateway.lid_phone("tb-1", "128473649273645@lid") == "6281234567890@c.us"
        assert ("GET", "/api/tb-1/lids/128473649273645%40lid") in fake.requests  # "@" encoded, as WAHA documents
        assert gateway.lid_phone("tb-1", "999@lid") is None
        fake.sessions["tb-1"]["status"] = "FAILED"
        with pytest.raises(GatewayError) as error:
            gateway.send_image("tb-1", "6281234567890@c.us", data=png, mime="image/png", filename="a.png")
        assert error.value.status == 422 and error.value.retryable


def test_graph_image_upload_send_and_media_download():
    with fake_graph(TOKEN, PHONE_ID) as fake:
        gateway = CloudApiGateway(
            access_token=TOKEN, phone_number_id=PHONE_ID, app_secret="s", verify_token="v", base_url=fake.url
        )
        jpeg = picture("JPEG")
        sent = gateway.send_image(
            PHONE_ID, "6281234567890", data=jpeg, mime="image/jpeg", filename="x.jpg", caption="Ini"
        )
        body = fake.sent[0]
        assert sent.id.startswith("wamid.") and body["type"] == "image" and body["image"]["caption"] == "Ini"
        assert fake.uploads[body["image"]["id"]] == (jpeg, "image/jpeg")
        gateway.send_image(PHONE_ID, "6281234567890", data=b"", mime="image/jpeg", filename="x", url="https://r2/x.jpg")
        assert fake.sent[1]["image"] == {"link": "https://r2/x.jpg"}
        fake.media["1234567890"] = (jpeg, "image/jpeg")
        media = gateway.media_download(PHONE_ID, "1234567890", limit=10**6)
        assert media.data == jpeg and media.mime == "image/jpeg"
        with pytest.raises(GatewayError) as error:
            gateway.media_download(PHONE_ID, "1234567890", limit=100)
        assert error.value.code == "too_large"
        with pytest.raises(GatewayError) as error:
            CloudApiGateway(
                access_token="bad", phone_number_id=PHONE_ID, app_secret="s", verify_token="v", base_url=fake.url
            ).media_download(PHONE_ID, "1234567890", limit=10**6)
        assert error.value.code == "190"


# --- inbound through the webhook and the download task -----------------------------------------


def waha_live(settings, fake) -> None:
    settings.WHATSAPP_PROVIDER = "waha"
    settings.WAHA_API_KEY, settings.WAHA_BASE_URL, settings.WAHA_WEBHOOK_HMAC_KEY = KEY, fake.url, HMAC


def waha_post(event: dict):
    raw = json.dumps(event).encode()
    return Client().post(
        "/api/webhooks/waha",
        data=raw,
        content_type="application/json",
        headers={"X-Webhook-Hmac": waha_hmac(HMAC, raw)},
    )


def photo_event(message_id: str, url: str, caption: str = "") -> dict:
    return {
        "id": "evt_" + message_id,
        "timestamp": 1764561600000,
        "event": "message",
        "session": "tb-live",
        "payload": {
            "id": message_id,
            "timestamp": 1764561600,
            "from": "6281234567890@c.us",
            "fromMe": False,
            "body": caption,
            "hasMedia": True,
            "media": {"url": url, "mimetype": "image/jpeg", "filename": None, "error": None},
            "_data": {"notifyName": "Bu Rina"},
        },
    }


@pytest.mark.django_db
def test_inbound_waha_image_is_downloaded_checked_stored_and_served_to_the_seller_only(
    settings, wa_seller, other_seller, django_capture_on_commit_callbacks
):
    with fake_waha(KEY) as fake:
        waha_live(settings, fake)
        WhatsAppSession.objects.create(store=wa_seller.store, name="tb-live", provider="waha", state="WORKING")
        photo = picture("JPEG", (3000, 2000), exif=True)
        fake.files["/api/files/tb-live/A1.jpeg"] = (photo, "image/jpeg")
        url = f"{fake.url}/api/files/tb-live/A1.jpeg"
        with django_capture_on_commit_callbacks(execute=True):
            assert waha_post(photo_event("false_A1", url, "Yang ini kak?")).json()["outcome"] == "stored"
            assert waha_post(photo_event("false_A1", url, "Yang ini kak?")).json()["outcome"] == "duplicate"
        message = Message.objects.get()
        assert (message.kind, message.media_state, message.body) == ("image", "pending", "Yang ini kak?")
        assert run_tasks("whatsapp.tasks.media_fetch_task") == ["stored"]
        message.refresh_from_db()
        assert message.media_state == "ready" and message.media_mime == "image/jpeg"
        stored = message.media_file.read()
        assert len(stored) == message.media_size
        with Image.open(io.BytesIO(stored)) as img:
            assert img.format == "JPEG" and max(img.size) == 1600  # re-encoded within the side limit
            assert not img.getexif().get(0x8825)  # the GPS block is gone
        route = f"/api/whatsapp/messages/{message.pk}/media"
        served = client_for(wa_seller).get(route)
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
        assert b"".join(served.streaming_content) == stored and served["Cache-Control"].startswith("private")
        from whatsapp.tests.conftest import inbox_on

        inbox_on(other_seller)
        assert client_for(other_seller).get(route).status_code == 404
        # A second task for the same message does nothing (one file).
        from whatsapp.tasks import media_fetch_task

        assert media_fetch_task.call(message_id=str(message.pk)) == "skipped"


@pytest.mark.django_db
def test_inbound_media_that_is_not_an_image_fails_with_a_reason(
    settings, wa_seller, django_capture_on_commit_callbacks
):
    with fake_waha(KEY) as fake:
        waha_live(settings, fake)
        WhatsAppSession.objects.create(store=wa_seller.store, name="tb-live", provider="waha", state="WORKING")
        fake.files["/api/files/tb-live/B.jpeg"] = (b"<html>not a picture</html>", "image/jpeg")
        fake.files["/api/files/tb-live/C.jpeg"] = (picture("JPEG", (200, 200)), "image/jpeg")
        settings.MAX_IMAGE_UPLOAD_BYTES = 500  # C is a real picture, but over the limit
        with django_capture_on_commit_callbacks(execute=True):
            waha_post(photo_event("false_B", f"{fake.url}/api/files/tb-live/B.jpeg"))
            waha_post(photo_event("false_C", f"{fake.url}/api/files/tb-live/C.jpeg"))
            waha_post(photo_event("false_D", f"{fake.url}/api/files/tb-live/gone.jpeg"))
        assert sorted(run_tasks("whatsapp.tasks.media_fetch_task")) == ["failed", "failed", "failed"]
        rows = {m.provider_message_id: m for m in Message.objects.all()}
        assert rows["false_B"].media_state == "failed" and rows["false_B"].error_code == "not_an_image"
        assert rows["false_C"].error_code == "too_large"
        assert rows["false_D"].error_code == "404"
        assert not any(m.media_file for m in rows.values())
        assert Message.objects.filter(media_state="failed", status="received").count() == 3


@pytest.mark.django_db
def test_inbound_cloud_image_by_media_id(settings, wa_seller, django_capture_on_commit_callbacks):
    with fake_graph(TOKEN, PHONE_ID) as fake:
        settings.WHATSAPP_PROVIDER = "cloud"
        settings.WHATSAPP_CLOUD_ACCESS_TOKEN, settings.WHATSAPP_CLOUD_PHONE_NUMBER_ID = TOKEN, PHONE_ID
        settings.WHATSAPP_CLOUD_APP_SECRET = settings.WHATSAPP_CLOUD_VERIFY_TOKEN = "x"
        settings.WHATSAPP_CLOUD_BASE_URL = fake.url
        WhatsAppSession.objects.create(store=wa_seller.store, name=PHONE_ID, provider="cloud", state="WORKING")
        fake.media["777000111"] = (picture("PNG"), "image/png")
        payload = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "WABA",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"display_phone_number": "628510", "phone_number_id": PHONE_ID},
                                "contacts": [{"profile": {"name": "Bu Rina"}, "wa_id": "6281234567890"}],
                                "messages": [
                                    {
                                        "from": "6281234567890",
                                        "id": "wamid.IMG1",
                                        "timestamp": "1764561600",
                                        "type": "image",
                                        "image": {"id": "777000111", "mime_type": "image/png", "sha256": "x"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
        from whatsapp.gateways.base import meta_signature

        raw = json.dumps(payload).encode()
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(
                "/api/webhook",
                data=raw,
                content_type="application/json",
                headers={"X-Hub-Signature-256": meta_signature("x", raw)},
            )
        assert response.json()["outcome"] == "stored"
        assert run_tasks("whatsapp.tasks.media_fetch_task") == ["stored"]
        message = Message.objects.get()
        assert message.media_state == "ready" and message.body == "" and Chat.objects.get().last_message == ""


# --- outbound ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seller_sends_an_image_through_live_waha(settings, wa_seller, django_capture_on_commit_callbacks):
    with fake_waha(KEY) as fake:
        waha_live(settings, fake)
        fake.sessions["tb-live"] = {"status": "WORKING", "config": {}}
        session = WhatsAppSession.objects.create(
            store=wa_seller.store, name="tb-live", provider="waha", state="WORKING"
        )
        chat = Chat.objects.create(session=session, remote_id="6281234567890@c.us")
        client = client_for(wa_seller)
        route = f"/api/whatsapp/chats/{chat.pk}/images"
        upload = SimpleUploadedFile("produk.webp", picture("WEBP"), content_type="image/webp")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(route, {"image": upload, "caption": "Sambal pecel 250 g"}, format="multipart")
        assert response.status_code == 201, response.content
        data = response.json()["data"]
        assert data["kind"] == "image" and data["status"] == "queued" and data["media_mime"] == "image/jpeg"
        assert data["media_url"] == f"/api/whatsapp/messages/{data['id']}/media"
        assert run_tasks("whatsapp.tasks.message_send_task") == ["sent"]
        sent = fake.sent[0]
        assert sent["chatId"] == "6281234567890@c.us" and sent["caption"] == "Sambal pecel 250 g"
        with Image.open(io.BytesIO(base64.b64decode(sent["file"]["data"]))) as img:
            assert img.format == "JPEG"
        assert Message.objects.get().provider_message_id == sent["id"]
        # Not a picture, whatever its name says: refused before anything is stored.
        fake_jpg = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
        refused = client.post(route, {"image": fake_jpg}, format="multipart")
        assert refused.status_code == 400 and refused.json()["meta"]["code"] == "not_an_image"
        assert client.post(route, {"caption": "x"}, format="multipart").json()["meta"]["code"] == "no_image"
        assert Message.objects.count() == 1


@pytest.mark.django_db
def test_cloud_image_outside_the_window_is_refused(settings, wa_seller):
    settings.WHATSAPP_PROVIDER = "simulator"
    session = WhatsAppSession.objects.create(store=wa_seller.store, name=PHONE_ID, provider="cloud", state="WORKING")
    chat = Chat.objects.create(session=session, remote_id="6281234567890")
    upload = SimpleUploadedFile("a.png", picture(), content_type="image/png")
    response = client_for(wa_seller).post(
        f"/api/whatsapp/chats/{chat.pk}/images", {"image": upload}, format="multipart"
    )
    assert response.status_code == 409 and response.json()["meta"]["code"] == "outside_24h_window"
    assert not Message.objects.exists()


# --- the simulator -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_simulated_buyer_sends_a_photo_and_image_sends_progress_acks(
    wa_seller, sim, django_capture_on_commit_callbacks
):
    from whatsapp.tests.test_api import linked

    client = client_for(wa_seller)
    session_id = linked(client, sim)
    name = WhatsAppSession.objects.get(pk=session_id).name
    sim.buyer_send_photo(name)
    with django_capture_on_commit_callbacks(execute=True):
        sim.pump()
    assert run_tasks("whatsapp.tasks.media_fetch_task") == ["stored"]
    inbound = Message.objects.get()
    assert inbound.kind == "image" and inbound.media_state == "ready" and inbound.body == "Kak, yang ini masih ada?"
    chat = Chat.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/whatsapp/chats/{chat.pk}/images",
            {"image": SimpleUploadedFile("a.png", picture(), content_type="image/png"), "caption": "Masih kak"},
            format="multipart",
        )
    assert response.status_code == 201
    assert run_tasks("whatsapp.tasks.message_send_task") == ["sent"]
    sim.elapse(name, 5)
    sim.pump()
    out = Message.objects.get(direction="out")
    assert out.status == "read" and out.ack == 3
