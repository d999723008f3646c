"""Homepage curation: banners. (Feature switches live with stores; the audit trail in `audit`.)"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tokoblitar.validators import is_site_link, is_web_url


def is_safe_link(link: str) -> bool:
    """An http(s) URL or a path on this site (empty is fine). "//host", "/<TAB>/host",
    "javascript:" and friends are refused: each would send a click somewhere the admin did
    not type (tokoblitar.validators: no whitespace, controls, quotes or backslashes)."""
    return not link or is_site_link(link)


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
        errors: dict[str, list] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = [_("ends_at must be after starts_at")]
        if not is_safe_link(self.link):
            errors["link"] = [_("Use an http(s) URL or a path on this site starting with /")]
        if self.image_url and not is_web_url(self.image_url):
            errors["image_url"] = [_("Use a full http(s) URL without spaces, quotes, parentheses or backslashes")]
        if not self.image and not self.image_url:
            errors["image"] = [_("Give an image_url or upload an image")]
        if not (self.title or "").strip():
            errors["title"] = [_("This field may not be blank.")]
        if errors:
            raise ValidationError(errors)

    @property
    def url(self) -> str:
        if self.image:
            return self.image.url
        return self.image_url
