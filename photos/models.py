"""Photo enhancement jobs: one row per "Perbaiki foto" press, from queue to the seller's choice."""

from __future__ import annotations

import uuid

from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductImage
from stores.models import Store


class EnhanceJob(models.Model):
    """An enhancement of one stored product photo.

    The original (`source_name`, a name in default_storage) is never changed by the job; the
    enhanced picture is written to `result` and becomes a product photo only when the seller
    keeps it (`decision`). `progress` is 0-100 for the live progress bar."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Antre")
        RUNNING = "running", _("Diproses")
        SUCCEEDED = "succeeded", _("Selesai")
        FAILED = "failed", _("Gagal")

    class Decision(models.TextChoices):
        NONE = "", _("Belum dipilih")
        REPLACED = "replaced", _("Menggantikan foto asli")
        ADDED = "added", _("Ditambahkan sebagai foto baru")
        DISCARDED = "discarded", _("Dibuang")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="enhance_jobs")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="enhance_jobs")
    # The photo it started from; SET_NULL so deleting the photo does not erase the job's history.
    source_image = models.ForeignKey(
        ProductImage, on_delete=models.SET_NULL, null=True, blank=True, related_name="enhance_jobs"
    )
    source_name = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    # Technical reason (logs, API); `reason_code` is what pages translate for the seller:
    # "timeout" | "provider" | "unreadable" | "bad_output".
    reason = models.CharField(max_length=300, blank=True)
    reason_code = models.CharField(max_length=20, blank=True)
    provider = models.CharField(max_length=20, blank=True)  # "simulator" | "replicate"
    prediction_id = models.CharField(max_length=100, blank=True)
    result = models.FileField(upload_to="enhanced/%Y/%m/", max_length=300, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.NONE, blank=True)
    kept_image = models.ForeignKey(ProductImage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Live jobs give up after ENHANCE_TIMEOUT_SECONDS from here (polling stops, job fails).
    deadline_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["product", "-created_at"], name="photos_job_product_recent")]
        constraints = [
            # One prediction id belongs to one job: a webhook finds exactly its job.
            models.UniqueConstraint(
                fields=["prediction_id"], condition=~Q(prediction_id=""), name="photos_job_prediction_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.status}"

    @property
    def source_url(self) -> str:
        return default_storage.url(self.source_name)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_undecided(self) -> bool:
        return self.status == self.Status.SUCCEEDED and not self.decision


class ReplicateWebhookDelivery(models.Model):
    """Replicate webhook ids already applied: Replicate retries a delivery with the same
    `webhook-id`, so the unique id is the idempotency key."""

    webhook_id = models.CharField(max_length=100, unique=True)
    prediction_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.webhook_id
