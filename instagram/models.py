"""Instagram: one connected professional account per store, and the posts made from products.

`SimulatedGraphObject` is the simulated Graph API's side (what Meta would keep on its servers:
authorization codes, tokens, media containers, published media), shared by every process.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from stores.models import Store
from tokoblitar.crypto import EncryptedTextField


class InstagramAccount(models.Model):
    """The store's Instagram professional account. `access_token`: the 60-day long-lived token,
    AES-256-GCM at rest; `token_issued_at` / `token_expires_at`: its lifetime (Meta refreshes
    only tokens at least 24 h old and unexpired); `refresh_due_at`: when the background refresh
    runs. A disconnected account has no row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="instagram_account")
    ig_user_id = models.CharField(max_length=40)
    username = models.CharField(max_length=60)
    access_token = EncryptedTextField()
    token_issued_at = models.DateTimeField()
    token_expires_at = models.DateTimeField()
    refresh_due_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    connected_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"@{self.username} ({self.store_id})"


class InstagramPost(models.Model):
    """A post made from a product. Lifecycle: draft → scheduled → publishing (container made,
    polled) → published; or failed (the platform's code and words kept); waiting_quota when the
    rolling publishing quota is used up (retried when the window frees); on_hold while the
    store has no usable Instagram login (disconnected, expired), scheduled again on reconnect.

    `error_code` is either Meta's "code/subcode" (then `error_message` holds Meta's words, shown
    as received) or one of OUR codes in `OWN_REASONS` (then `error_params` holds the values and
    the words are made when shown, in the reader's language)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        SCHEDULED = "scheduled", _("Terjadwal")
        PUBLISHING = "publishing", _("Sedang diterbitkan")
        PUBLISHED = "published", _("Terbit")
        FAILED = "failed", _("Gagal")
        WAITING_QUOTA = "waiting_quota", _("Menunggu kuota")
        ON_HOLD = "on_hold", _("Ditahan")

    # The background job still has work to do for these.
    IN_FLIGHT = (Status.SCHEDULED, Status.PUBLISHING, Status.WAITING_QUOTA)
    # The seller may still change caption and time.
    EDITABLE = (Status.DRAFT, Status.SCHEDULED, Status.FAILED, Status.ON_HOLD)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="instagram_posts")
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, related_name="instagram_posts")
    caption = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    schedule_at = models.DateTimeField(null=True, blank=True)
    image_url = models.URLField(max_length=1000, blank=True)
    container_id = models.CharField(max_length=40, blank=True)
    container_created_at = models.DateTimeField(null=True, blank=True)
    media_id = models.CharField(max_length=40, blank=True)
    permalink = models.URLField(max_length=500, blank=True)
    # The platform's own reason when it refused: "code/subcode" and its message, shown as received.
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=1000, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["store", "-created_at"], name="instagram_post_store_recent")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.status} {self.pk}"

    @property
    def reason_is_ours(self) -> bool:
        """True when the reason is TokoBLITAR's own (not Instagram's words)."""
        return self.error_code in OWN_REASONS

    @property
    def reason(self) -> str:
        """The reason in the active language: ours translated with its params, or Meta's words."""
        if self.error_code in OWN_REASONS:
            try:
                return str(OWN_REASONS[self.error_code]) % (self.error_params or {})
            except (KeyError, TypeError, ValueError):
                return str(OWN_REASONS[self.error_code])
        return self.error_message


# Our own reasons for a post's state (codes stored on the post; worded when read, so a page
# shows them in its own language whatever language the background job ran in).
OWN_REASONS = {
    "disconnected": _("Instagram is disconnected; the post waits and is scheduled again when you reconnect"),
    "token_expired": _("The Instagram login has expired; the post waits and is scheduled again when you reconnect"),
    "feature_disabled": _("The Instagram feature is switched off for this store"),
    "no_photo": _("The product has no photo"),
    "provider_not_configured": _("Instagram is not set up on this server"),
    "quota_used": _("Publishing quota used: %(usage)s of %(total)s posts in 24 hours"),
}


class SimulatedGraphObject(models.Model):
    """One object on the simulated Graph API: `kind` "config" | "code" | "token" | "user" |
    "container" | "media"; `key`: its id there; `data`: its fields as the platform keeps them."""

    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=200)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="instagram_simobject_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
