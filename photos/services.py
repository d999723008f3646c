"""Writes for photo enhancement: start a job, run it, complete it, keep or discard the result.

Entry services (`seller_*`) take the acting seller: another store's product, photo or job is a
404, and the store's `photo_enhance` switch is checked before anything starts (403). The
original photo is never written by a job: the enhanced picture lands in the job's own file and
becomes a product photo only when the seller keeps it.

Tasks take ids as strings; every step locks the job row, so a duplicated task, a webhook and a
poll racing each other apply a result once.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from functools import partial
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import User
from catalog.models import ProductImage
from catalog.selectors import product_get_for_seller
from catalog.services import product_image_add, product_image_delete
from photos.enhance import get_photo_enhancer
from photos.enhance.base import FAILED, RUNNING, SUCCEEDED, EnhanceOutcome, EnhanceProviderError
from photos.models import EnhanceJob, ReplicateWebhookDelivery
from photos.realtime import push_enhance_event
from photos.selectors import enhance_job_get_for_seller, photo_source_resolve
from stores.flags import require_feature
from stores.selectors import store_get_for_seller
from tokoblitar.errors import Conflict

logger = logging.getLogger(__name__)

FEATURE = "photo_enhance"
RESULT_MAX_SIDE = 1600
KEEP_REPLACE = "replace"
KEEP_ADD = "add"


# --- events ---------------------------------------------------------------------------------


def enhance_job_payload(job: EnhanceJob) -> dict:
    """What the dashboard and the API are told about a job (JSON only)."""
    return {
        "kind": "enhance",
        "job_id": str(job.pk),
        "product_id": str(job.product_id),
        "image_id": str(job.source_image_id) if job.source_image_id else None,
        "status": job.status,
        "progress": job.progress,
        "reason": job.reason,
        "reason_code": job.reason_code,
        "decision": job.decision,
        "enhanced_url": job.result.url if job.result else None,
    }


def _push(job: EnhanceJob) -> None:
    push_enhance_event(job.product_id, enhance_job_payload(job))


# --- start ----------------------------------------------------------------------------------


def seller_enhance_start(
    *, actor: User, product_id: UUID | str, image_url: str = "", image_id: UUID | str | None = None
) -> EnhanceJob:
    """Entry service: enhance one of the actor's product photos in the background.

    Raises NotFound (no store; another store's product; a stored image that is not this
    product's), FeatureDisabled (the store's `photo_enhance` switch is off) and ValidationFailed
    (`foreign_image_url`: any URL that is not one of our stored photos; nothing is fetched).
    A second press while a job on the same photo runs answers that job."""
    store = store_get_for_seller(user=actor)
    product = product_get_for_seller(store=store, product_id=product_id)
    require_feature(store=store, feature=FEATURE)
    image = photo_source_resolve(product=product, image_url=image_url, image_id=image_id)
    with transaction.atomic():
        # Lock the photo's row so two presses cannot both start a job.
        image = ProductImage.objects.select_for_update().get(pk=image.pk)
        running = EnhanceJob.objects.filter(source_image=image, status__in=EnhanceJob.ACTIVE).first()
        if running is not None:
            return running
        job = EnhanceJob.objects.create(store=store, product=product, source_image=image, source_name=image.image.name)
        _push(job)
        transaction.on_commit(partial(_enqueue_run, str(job.pk)))
    return job


def _enqueue_run(job_id: str) -> None:
    from photos.tasks import enhance_job_run_task

    enhance_job_run_task.enqueue(job_id=job_id)


def _enqueue_poll(job_id: str, delay: float) -> None:
    from photos.tasks import enhance_job_poll_task

    enhance_job_poll_task.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(job_id=job_id)


# --- run --------------------------------------------------------------------------------------


def enhance_job_run(*, job_id: str) -> str:
    """Run a queued job with the configured enhancer (the task calls this). Answers the status.

    The simulator finishes here; a live prediction is left running, completed by Replicate's
    webhook or by the poll task scheduled here. Any provider failure fails the job with a
    reason and leaves the original photo untouched."""
    with transaction.atomic():
        job = EnhanceJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != EnhanceJob.Status.QUEUED:
            return job.status if job else "missing"  # a duplicated task
        now = timezone.now()
        job.status = EnhanceJob.Status.RUNNING
        job.started_at = now
        job.deadline_at = now + timedelta(seconds=settings.ENHANCE_TIMEOUT_SECONDS)
        job.progress = 5
        job.save(update_fields=["status", "started_at", "deadline_at", "progress"])
        _push(job)
    try:
        with default_storage.open(job.source_name, "rb") as handle:
            raw = handle.read()
    except (FileNotFoundError, OSError) as exc:
        logger.warning("Enhance job %s: original %s unreadable: %s", job_id, job.source_name, exc)
        return enhance_job_fail(job_id=job_id, reason="The original photo could not be read", code="unreadable").status
    try:
        enhancer = get_photo_enhancer()
        EnhanceJob.objects.filter(pk=job_id).update(provider=enhancer.name[:20])
        outcome = enhancer.enhance(image=raw, job_id=job_id, progress=partial(_progress, job_id))
    except (EnhanceProviderError, ImproperlyConfigured) as exc:
        logger.warning("Enhance job %s failed at the provider: %s", job_id, exc)
        return enhance_job_fail(job_id=job_id, reason=_provider_reason(exc), code="provider").status
    job = enhance_job_apply(job_id=job_id, outcome=outcome)
    if job.status == EnhanceJob.Status.RUNNING:
        _enqueue_poll(job_id, settings.ENHANCE_POLL_SECONDS)
    return job.status


def _provider_reason(exc: Exception) -> str:
    if isinstance(exc, EnhanceProviderError):
        return f"{exc.provider}: {exc.reason}"[:300]
    return str(exc)[:300]


def _progress(job_id: str, value: int) -> None:
    """Progress reported by the enhancer while it works; only ever goes up."""
    value = max(0, min(99, int(value)))
    updated = EnhanceJob.objects.filter(pk=job_id, status=EnhanceJob.Status.RUNNING, progress__lt=value).update(
        progress=value
    )
    if updated:
        _push(EnhanceJob.objects.get(pk=job_id))


def _as_jpeg(data: bytes) -> bytes:
    """The provider's output as our JPEG (≤ RESULT_MAX_SIDE px, no metadata); ValueError if not an image."""
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG", "PNG", "WEBP"]) as opened:
            opened.draft("RGB", (RESULT_MAX_SIDE, RESULT_MAX_SIDE))
            img = ImageOps.exif_transpose(opened)
            img.thumbnail((RESULT_MAX_SIDE, RESULT_MAX_SIDE), Image.Resampling.LANCZOS)
            if img.mode in ("RGBA", "LA", "P", "PA"):
                rgba = img.convert("RGBA")
                img = Image.new("RGB", rgba.size, (255, 255, 255))
                img.paste(rgba, mask=rgba.getchannel("A"))
            elif img.mode != "RGB":
                img = img.convert("RGB")
            out = io.BytesIO()
            img.save(out, format="JPEG", quality=88, optimize=True, progressive=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValueError(str(exc)) from exc
    return out.getvalue()


def enhance_job_apply(*, job_id: str, outcome: EnhanceOutcome) -> EnhanceJob:
    """Apply what the provider said: store the output (succeeded), note the prediction and
    progress (running), or fail the job. A job already finished is left as it is (a late
    webhook or poll), and an output saved for it is removed again."""
    if outcome.status == FAILED:
        return enhance_job_fail(job_id=job_id, reason=outcome.reason or "The provider failed", code="provider")
    saved_name = ""
    if outcome.status == SUCCEEDED:
        try:
            data = _as_jpeg(outcome.output or b"")
        except ValueError:
            return enhance_job_fail(job_id=job_id, reason="The provider's output is not an image", code="bad_output")
        # Saved before the row points at it; removed again if the row does not take it.
        saved_name = default_storage.save(f"enhanced/{timezone.now():%Y/%m}/{job_id}.jpg", ContentFile(data))
    with transaction.atomic():
        job = EnhanceJob.objects.select_for_update().get(pk=job_id)
        if job.status != EnhanceJob.Status.RUNNING:
            if saved_name:
                transaction.on_commit(partial(default_storage.delete, saved_name))
            return job
        if outcome.prediction_id and not job.prediction_id:
            job.prediction_id = outcome.prediction_id[:100]
        if outcome.status == SUCCEEDED:
            job.result.name = saved_name
            job.status = EnhanceJob.Status.SUCCEEDED
            job.progress = 100
            job.finished_at = timezone.now()
        else:
            job.progress = max(job.progress, min(99, outcome.progress))
        job.save(update_fields=["prediction_id", "result", "status", "progress", "finished_at"])
        _push(job)
    return job


def enhance_job_fail(*, job_id: str, reason: str, code: str = "provider") -> EnhanceJob:
    """Mark a job failed with `reason` (technical) and `code` (for pages: "timeout" |
    "provider" | "unreadable" | "bad_output"), unless it already finished; the original is
    untouched."""
    with transaction.atomic():
        job = EnhanceJob.objects.select_for_update().get(pk=job_id)
        if job.status in (EnhanceJob.Status.SUCCEEDED, EnhanceJob.Status.FAILED):
            return job
        job.status = EnhanceJob.Status.FAILED
        job.reason = reason[:300]
        job.reason_code = code[:20]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "reason", "reason_code", "finished_at"])
        _push(job)
    return job


def enhance_job_poll(*, job_id: str) -> str:
    """Ask the provider about a running live job (the poll task calls this, and the webhook
    enqueues it on completion). Past its deadline the job fails and the prediction is
    cancelled; while it runs the next poll is scheduled. Answers the status."""
    job = EnhanceJob.objects.filter(pk=job_id).first()
    if job is None or job.status != EnhanceJob.Status.RUNNING:
        return job.status if job else "missing"
    try:
        enhancer = get_photo_enhancer()
    except ImproperlyConfigured as exc:
        return enhance_job_fail(job_id=job_id, reason=str(exc), code="provider").status
    if not job.prediction_id:
        return enhance_job_fail(job_id=job_id, reason="No prediction to wait for", code="provider").status
    if job.deadline_at and timezone.now() >= job.deadline_at:
        enhancer.cancel(prediction_id=job.prediction_id)
        return enhance_job_fail(job_id=job_id, reason="The enhancement timed out", code="timeout").status
    try:
        outcome = enhancer.fetch(prediction_id=job.prediction_id)
    except EnhanceProviderError as exc:
        # A passing network fault: try again at the next poll, until the deadline.
        logger.warning("Enhance job %s: poll failed: %s", job_id, exc)
        outcome = EnhanceOutcome(status=RUNNING, prediction_id=job.prediction_id, progress=job.progress)
    job = enhance_job_apply(job_id=job_id, outcome=outcome)
    if job.status == EnhanceJob.Status.RUNNING:
        _enqueue_poll(job_id, settings.ENHANCE_POLL_SECONDS)
    return job.status


def enhance_prediction_notified(*, webhook_id: str, prediction: dict) -> str:
    """A verified Replicate webhook (the body is the prediction). Applied once per
    `webhook-id` (Replicate retries with the same id). Progress is shown at once; a finished
    prediction is read back from Replicate's API by the poll task, which downloads the output
    from that prediction. Answers the outcome for the webhook log."""
    prediction_id = str(prediction.get("id") or "")[:100]
    status = str(prediction.get("status") or "")
    try:
        with transaction.atomic():
            ReplicateWebhookDelivery.objects.create(webhook_id=webhook_id[:100], prediction_id=prediction_id)
    except IntegrityError:
        return "duplicate"
    job = EnhanceJob.objects.filter(prediction_id=prediction_id).first() if prediction_id else None
    if job is None:
        return "unknown_prediction"
    if job.status != EnhanceJob.Status.RUNNING:
        return "ignored"
    if status in ("succeeded", "failed", "canceled"):
        transaction.on_commit(partial(_enqueue_poll, str(job.pk), 0))
        return "completed"
    progress = {"starting": 15, "processing": 50}.get(status, job.progress)
    enhance_job_apply(job_id=str(job.pk), outcome=EnhanceOutcome(status=RUNNING, progress=progress))
    return "progress"


# --- keep / discard -----------------------------------------------------------------------------


def _locked_decidable(*, actor: User, job_id: UUID | str) -> EnhanceJob:
    store = store_get_for_seller(user=actor)
    job = enhance_job_get_for_seller(store=store, job_id=job_id)
    job = EnhanceJob.objects.select_for_update().select_related("product", "store").get(pk=job.pk)
    if job.decision:
        raise Conflict(_("This enhanced photo was already handled"), code="enhance_decided")
    return job


def seller_enhance_keep(*, actor: User, job_id: UUID | str, mode: str = KEEP_REPLACE) -> ProductImage:
    """Entry service: keep the enhanced photo, replacing the original (same place in the
    gallery) or added as a new photo (`mode` "replace" | "add"). Answers the new ProductImage.

    Raises NotFound (another store's job), FeatureDisabled (switch off), Conflict (not finished,
    already decided, or the original was deleted meanwhile for "replace") and ValidationFailed
    (the product already holds the most photos, for "add")."""
    if mode not in (KEEP_REPLACE, KEEP_ADD):
        raise ValueError(f"Unknown keep mode {mode!r}")
    with transaction.atomic():
        job = _locked_decidable(actor=actor, job_id=job_id)
        require_feature(store=job.store, feature=FEATURE)
        if job.status != EnhanceJob.Status.SUCCEEDED or not job.result:
            raise Conflict(_("The enhanced photo is not ready"), code="enhance_not_ready")
        original = None
        if mode == KEEP_REPLACE:
            original = ProductImage.objects.filter(pk=job.source_image_id, product=job.product).first()
            if original is None:
                raise Conflict(
                    _("The original photo was deleted; add the enhanced photo as a new one instead"),
                    code="enhance_original_gone",
                )
        with default_storage.open(job.result.name, "rb") as handle:
            data = handle.read()
        upload = SimpleUploadedFile(f"{job.product.slug[:50]}-enhanced.jpg", data, content_type="image/jpeg")
        image = product_image_add(product=job.product, upload=upload)
        if original is not None:
            # The enhanced photo takes the original's place in the gallery.
            ProductImage.objects.filter(pk=image.pk).update(position=original.position)
            image.position = original.position
        result_name = job.result.name
        job.decision = EnhanceJob.Decision.REPLACED if original is not None else EnhanceJob.Decision.ADDED
        job.kept_image = image
        job.decided_at = timezone.now()
        job.save(update_fields=["decision", "kept_image", "decided_at"])
        _push(job)
    # The product photo is its own copy (re-encoded through the upload path).
    default_storage.delete(result_name)
    if original is not None:
        # After the new photo is committed: a failure here leaves both photos, never none.
        product_image_delete(image=original)
    return image


def seller_enhance_discard(*, actor: User, job_id: UUID | str) -> EnhanceJob:
    """Entry service: throw the enhanced photo away (or dismiss a failed job); the original
    stays as it is. Conflict while the job still runs or when it was already handled. Allowed
    with the switch off, so a seller can always clean up."""
    with transaction.atomic():
        job = _locked_decidable(actor=actor, job_id=job_id)
        if job.is_active:
            raise Conflict(_("The photo is still being enhanced"), code="enhance_running")
        result_name = job.result.name if job.result else ""
        job.decision = EnhanceJob.Decision.DISCARDED
        job.decided_at = timezone.now()
        job.result.name = ""
        job.save(update_fields=["decision", "decided_at", "result"])
        _push(job)
    if result_name:
        default_storage.delete(result_name)
    return job
