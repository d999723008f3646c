"""Reads for photo enhancement."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http.request import validate_host
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductImage
from photos.models import EnhanceJob
from stores.models import Store
from tokoblitar.errors import NotFound, ValidationFailed
from tokoblitar.renditions import rendition_names


def enhance_job_get_for_seller(*, store: Store, job_id: UUID | str) -> EnhanceJob:
    """One job of this store; another store's is a 404 (no leak)."""
    job = EnhanceJob.objects.filter(store=store, pk=job_id).select_related("product").first()
    if job is None:
        raise NotFound(_("Enhancement job not found"), code="enhance_job_not_found")
    return job


def enhance_job_list_open_for_product(*, product: Product) -> QuerySet[EnhanceJob]:
    """Jobs the seller still has to see or decide on: running, or finished without a choice
    (a failed one stays until dismissed), newest first."""
    return EnhanceJob.objects.filter(product=product, decision="").order_by("-created_at")


def _our_host(host: str) -> bool:
    """A host our own storage or site answers on (we never fetch it; only a name for our file)."""
    hosts = list(settings.ALLOWED_HOSTS)
    for url in (settings.SITE_URL, default_storage.url("x")):
        netloc = urlsplit(url).netloc
        if netloc:
            hosts.append(netloc.split("@")[-1].split(":")[0])
    return validate_host(host, hosts)


def photo_source_resolve(*, product: Product, image_url: str = "", image_id: UUID | str | None = None) -> ProductImage:
    """The product photo `image_url` (or `image_id`) names; nothing is ever fetched from it.

    Accepts the photo's URL as our storage answers it (relative `/media/…`, absolute on our
    host, or an R2 URL with its signature), its storage name, or its id.
    Raises ValidationFailed (`foreign_image_url`) for any other URL, and NotFound
    (`image_not_found`) for a stored image that is not one of this product's photos."""
    images = ProductImage.objects.filter(product=product)
    if image_id:
        image = images.filter(pk=image_id).first()
        if image is None:
            raise NotFound(_("Image not found"), code="image_not_found")
        return image
    ref = (image_url or "").strip()
    foreign = ValidationFailed(
        _("image_url must be one of this product's own photos; other URLs are never fetched"),
        code="foreign_image_url",
        fields={"image_url": [_("Choose one of this product's photos")]},
    )
    if not ref or len(ref) > 2000:
        raise foreign
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or not _our_host(parts.hostname or ""):
            raise foreign
    path = parts.path
    media_path = urlsplit(settings.MEDIA_URL).path
    if path.startswith(media_path):
        name = path[len(media_path) :]
    else:
        # R2 URLs carry the bucket or nothing before the name; a bare storage name has no slash first.
        name = path.lstrip("/")
        bucket = getattr(settings, "R2_BUCKET", "")
        if bucket and name.startswith(bucket + "/"):
            name = name[len(bucket) + 1 :]
    if not name or ".." in name.split("/"):
        raise foreign
    image = images.filter(image=name).first() or _rendition_owner(images, name)
    if image is not None:
        return image
    if ProductImage.objects.filter(image=name).exists() or path.startswith(media_path):
        # A stored photo, but not this product's (another store's, or another product's).
        raise NotFound(_("Image not found"), code="image_not_found")
    raise foreign


# django-pictures stores renditions as `<original name without extension>/<width>w.<type>`.
_RENDITION = re.compile(r"^(?P<base>.+)/\d+w\.[a-z0-9]+$")


def _rendition_owner(images: Any, name: str) -> ProductImage | None:
    """The photo (among `images`) that `name` is a rendition of (a pasted `…/640w.jpeg` URL
    enhances its original), or None. Only names the photo really has are accepted."""
    match = _RENDITION.match(name)
    if not match:
        return None
    for image in images.filter(image__startswith=match["base"] + "."):
        if name in rendition_names(image.image):
            return image
    return None
