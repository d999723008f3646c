"""Homepage curation (banners), per-store feature switches and the admin audit trail."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.models import Store


def is_safe_link(link: str) -> bool:
    """An http(s) URL or a path on this site. "//host", "javascript:" and friends are
    refused: each would send a click somewhere the admin did not type."""
    if not link:
        return True
    if link.startswith("/"):
        return not link.startswith("//") and "\\" not in link
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class BannerQuerySet(models.QuerySet["Banner"]):
    def live(self, *, at=None) -> BannerQuerySet:
        """Switched on and inside the window (an open end means no limit on that side)."""
        at = at or timezone.now()
        return self.filter(
            Q(starts_at__isnull=True) | Q(starts_at__lte=at),
            Q(ends_at__isnull=True) | Q(ends_at__gt=at),
            is_active=True,
        )


class Banner(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("judul"), max_length=120)
    subtitle = models.CharField(_("subjudul"), max_length=200, blank=True)
    # Either an external image URL or an uploaded file; `url` picks whichever is set.
    image_url = models.URLField(_("URL gambar"), max_length=500, blank=True)
    image = models.ImageField(_("gambar"), upload_to="banners/%Y/%m/", max_length=300, blank=True)
    # http(s) URL or a site-relative path ("/toko/kopi-mbah"); checked by the service.
    link = models.CharField(_("tautan"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("urutan"), default=0)
    starts_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    ends_at = models.DateTimeField(_("berakhir"), null=True, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BannerQuerySet.as_manager()

    class Meta:
        ordering = ["position", "-created_at"]
        verbose_name = _("banner")
        verbose_name_plural = _("banner")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="curation_banner_window_ordered",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "position"], name="curation_banner_active_pos")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        """Rules shared by the API service and the Django admin form."""
        errors: dict[str, list[str]] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = ["ends_at must be after starts_at"]
        if not is_safe_link(self.link):
            errors["link"] = ["Use an http(s) URL or a path on this site starting with /"]
        if self.image_url and urlsplit(self.image_url).scheme not in ("http", "https"):
            errors["image_url"] = ["Use an http(s) URL"]
        if not self.image and not self.image_url:
            errors["image"] = ["Give an image_url or upload an image"]
        if not (self.title or "").strip():
            errors["title"] = ["This field may not be blank."]
        if errors:
            raise ValidationError(errors)

    @property
    def url(self) -> str:
        if self.image:
            return self.image.url
        return self.image_url


class StoreFeatureFlags(models.Model):
    """Per-store switches. A store without a row gets the field defaults (see curation.flags)."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="feature_flags", primary_key=True)
    # Everyday selling tools are on; the ones that talk to third parties on the seller's
    # behalf (marketplaces, Instagram, WhatsApp) start off until an admin enables them.
    ai_assistant = models.BooleanField(_("asisten AI"), default=True)
    marketplace_sync = models.BooleanField(_("sinkron marketplace"), default=False)
    instagram = models.BooleanField(_("Instagram"), default=False)
    photo_enhance = models.BooleanField(_("perbaiki foto"), default=True)
    whatsapp_inbox = models.BooleanField(_("kotak masuk WhatsApp"), default=False)
    promos = models.BooleanField(_("promo"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fitur toko")
        verbose_name_plural = _("fitur toko")

    def __str__(self) -> str:
        return f"flags:{self.store_id}"


class AuditLog(models.Model):
    """Append-only record of admin actions and assistant tool runs (SPEC §13)."""

    id = models.BigAutoField(primary_key=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    # Kept apart from the FK so the trail still says who it was after the user is deleted.
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, db_index=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    target_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("log audit")
        verbose_name_plural = _("log audit")
        indexes = [models.Index(fields=["target_type", "target_id", "-at"], name="curation_audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or '-'} {self.action} {self.target_type}:{self.target_id}"
