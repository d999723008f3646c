"""The live Replicate client against a local fake Replicate (127.0.0.1): create, poll,
signed webhooks (good, bad, duplicate), output download, failure and timeout."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from photos.enhance import get_photo_enhancer
from photos.enhance.replicate import ReplicatePhotoEnhancer
from photos.models import EnhanceJob, ReplicateWebhookDelivery
from photos.services import seller_enhance_start
from photos.tasks import enhance_job_poll_task, enhance_job_run_task
from photos.tests.fake_replicate import FakeReplicateServer, output_png
from webhooks.models import ProviderNotification

TOKEN = "r8_test_token_for_the_fake"
WEBHOOK = "/api/webhooks/replicate"


@pytest.fixture
def fake(settings):
    with FakeReplicateServer(TOKEN) as fake:
        settings.REPLICATE_API_TOKEN = TOKEN
        settings.REPLICATE_BASE_URL = fake.url
        settings.REPLICATE_WEBHOOK_SECRET = fake.secret
        settings.REPLICATE_ENHANCE_MODEL = "nightmareai/real-esrgan:f121d640bd28"
        settings.SITE_URL = "https://toko.example"
        settings.PHOTO_ENHANCE_PROVIDER = ""
        yield fake


def _sha(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _running_job(seller, product, photo, fake) -> EnhanceJob:
    job = seller_enhance_start(actor=seller, product_id=product.pk, image_id=photo.pk)
    assert enhance_job_run_task.call(job_id=str(job.pk)) == "running"
    job.refresh_from_db()
    return job


def _webhook(client, fake, prediction: dict, webhook_id: str | None = None, *, headers: dict | None = None):
    body = json.dumps(prediction).encode()
    signed = headers if headers is not None else fake.sign(body, webhook_id)
    return client.post(
        WEBHOOK,
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed.items()},
    )


def test_registry_picks_replicate_when_the_token_is_set(fake):
    assert isinstance(get_photo_enhancer(), ReplicatePhotoEnhancer)


def test_create_uploads_the_photo_and_asks_for_our_webhook(seller, product, photo, fake):
    job = _running_job(seller, product, photo, fake)
    assert job.provider == "replicate" and job.prediction_id in fake.predictions
    prediction = fake.predictions[job.prediction_id]
    assert prediction["version"] == "f121d640bd28"
    assert prediction["webhook"] == "https://toko.example/api/webhooks/replicate"
    assert prediction["webhook_events_filter"] == ["start", "completed"]
    assert prediction["input"]["scale"] == 2
    # The photo went up through the files API, and it is our stored original.
    file_id = prediction["input"]["image"].rsplit("/", 1)[-1]
    assert file_id in fake.files
    with default_storage.open(photo.image.name, "rb") as handle:
        assert handle.read() in fake.files[file_id]
    # And a poll is scheduled.
    assert DBTaskResult.objects.filter(task_path="photos.tasks.enhance_job_poll_task").count() == 1


def test_poll_downloads_the_output_into_our_storage(seller, product, photo, fake):
    original = _sha(photo.image.name)
    job = _running_job(seller, product, photo, fake)
    assert enhance_job_poll_task.call(job_id=str(job.pk)) == "running"  # still "starting"
    fake.succeed(job.prediction_id, output_png(size=(120, 80)))
    assert enhance_job_poll_task.call(job_id=str(job.pk)) == "succeeded"
    job.refresh_from_db()
    assert ("GET", f"/delivery/{job.prediction_id}/out.png") in fake.requests
    saved = Image.open(default_storage.open(job.result.name))
    assert saved.format == "JPEG" and saved.size == (120, 80)
    # Kept in our storage: Replicate's copy expiring changes nothing.
    fake.expire_outputs(job.prediction_id)
    assert default_storage.exists(job.result.name)
    assert _sha(photo.image.name) == original


@pytest.mark.django_db(transaction=True)
def test_signed_webhook_completes_once_and_bad_signature_is_refused(client, seller, product, photo, fake):
    job = _running_job(seller, product, photo, fake)
    fake.predictions[job.prediction_id]["status"] = "processing"
    assert _webhook(client, fake, fake.predictions[job.prediction_id]).json()["data"]["outcome"] == "progress"
    job.refresh_from_db()
    assert job.progress == 50

    done = fake.succeed(job.prediction_id)
    # A forged delivery (signed with another secret) changes nothing.
    forged = fake.sign(json.dumps(done).encode(), "msg_forged", secret="whsec_" + "QUJD" * 8)
    response = _webhook(client, fake, done, headers=forged)
    assert response.status_code == 403
    assert ProviderNotification.objects.filter(provider="replicate", signature_valid=False).count() == 1
    # Missing headers too.
    assert _webhook(client, fake, done, headers={}).status_code == 403
    assert not ReplicateWebhookDelivery.objects.filter(webhook_id="msg_forged").exists()

    polls_before = DBTaskResult.objects.filter(task_path="photos.tasks.enhance_job_poll_task").count()
    first = _webhook(client, fake, done, "msg_done_1")
    assert first.status_code == 200 and first.json()["data"]["outcome"] == "completed"
    # Replicate retries with the same webhook-id: applied once.
    again = _webhook(client, fake, done, "msg_done_1")
    assert again.status_code == 200 and again.json()["data"]["outcome"] == "duplicate"
    assert ReplicateWebhookDelivery.objects.filter(webhook_id="msg_done_1").count() == 1
    polls = DBTaskResult.objects.filter(task_path="photos.tasks.enhance_job_poll_task")
    assert polls.count() == polls_before + 1
    # The poll it scheduled reads the prediction back from the API and downloads the output.
    assert enhance_job_poll_task.call(job_id=str(job.pk)) == "succeeded"
    job.refresh_from_db()
    assert job.status == "succeeded" and default_storage.exists(job.result.name)
    # A late webhook for a finished job is logged and ignored.
    assert _webhook(client, fake, done, "msg_late").json()["data"]["outcome"] == "ignored"


def test_secret_is_fetched_from_replicate_when_not_configured(client, settings, seller, product, photo, fake):
    settings.REPLICATE_WEBHOOK_SECRET = ""
    job = _running_job(seller, product, photo, fake)
    done = fake.succeed(job.prediction_id)
    assert _webhook(client, fake, done, "msg_1").status_code == 200
    assert ("GET", "/v1/webhooks/default/secret") in fake.requests


def test_failed_prediction_fails_the_job_and_keeps_the_original(seller, product, photo, fake):
    original = _sha(photo.image.name)
    job = _running_job(seller, product, photo, fake)
    fake.fail(job.prediction_id, "CUDA out of memory")
    assert enhance_job_poll_task.call(job_id=str(job.pk)) == "failed"
    job.refresh_from_db()
    assert "CUDA out of memory" in job.reason and not job.result
    assert list(product.images.all()) == [photo] and _sha(photo.image.name) == original


def test_refused_create_fails_the_job_with_the_reason(seller, product, photo, fake):
    fake.fail_create = True
    job = seller_enhance_start(actor=seller, product_id=product.pk, image_id=photo.pk)
    assert enhance_job_run_task.call(job_id=str(job.pk)) == "failed"
    job.refresh_from_db()
    assert "422" in job.reason and "version" in job.reason


def test_timeout_cancels_the_prediction_and_fails_the_job(seller, product, photo, fake):
    job = _running_job(seller, product, photo, fake)
    EnhanceJob.objects.filter(pk=job.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    assert enhance_job_poll_task.call(job_id=str(job.pk)) == "failed"
    job.refresh_from_db()
    assert "timed out" in job.reason
    assert fake.predictions[job.prediction_id]["status"] == "canceled"
    assert list(product.images.all()) == [photo]


def test_unreachable_replicate_fails_the_job(settings, seller, product, photo):
    settings.REPLICATE_API_TOKEN = TOKEN
    settings.REPLICATE_BASE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.REPLICATE_TIMEOUT_SECONDS = 2.0
    job = seller_enhance_start(actor=seller, product_id=product.pk, image_id=photo.pk)
    assert enhance_job_run_task.call(job_id=str(job.pk)) == "failed"
    job.refresh_from_db()
    assert job.reason.startswith("Replicate:")
    assert list(product.images.all()) == [photo]


def test_output_must_be_an_image(seller, product, photo, fake):
    job = _running_job(seller, product, photo, fake)
    fake.succeed(job.prediction_id, b"<html>not a picture</html>")
    assert enhance_job_poll_task.call(job_id=str(job.pk)) == "failed"
    job.refresh_from_db()
    assert "not an image" in job.reason
