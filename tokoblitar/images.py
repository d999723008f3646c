"""Validated image uploads: one path for every picture a user sends us (product photos,
store logos and banners).

`image_reencode` checks the real content (not the file name), bounds the memory a decode
may take, and re-encodes as a JPEG: EXIF (GPS position, camera serial) never survives,
orientation is applied first, transparency is flattened onto white.
"""

from __future__ import annotations

import io
import logging
import threading

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from tokoblitar.errors import Conflict, ProviderError, ValidationFailed

logger = logging.getLogger(__name__)

# Re-encoded longest side: sharp on phones, far smaller than camera originals.
IMAGE_MAX_SIDE = 1600
# Decode memory budget. A 170 KB PNG can declare 6300x6300 px and decode into 500 MB, so
# the size is read from the header (Image.open is lazy) and checked before any decode:
# - at most IMAGE_MAX_PIXELS in the file (a 50 MP phone photo), and
# - at most IMAGE_MAX_DECODE_PIXELS actually decoded: 16 MP x 4 bytes (RGBA) = 64 MB per
#   frame, about 2 frames alive at the peak (decode + transposed/converted copy), so
#   ~130 MB per decode. JPEGs decode at 1/2, 1/4 or 1/8 scale (draft mode) when that still
#   covers the wanted side, so a 48 MP photo decodes as 12 MP; PNG/WebP decode at full size.
IMAGE_MAX_PIXELS = 50_000_000
IMAGE_MAX_DECODE_PIXELS = 16_000_000
# At most this many decodes at once per process (each up to the budget above); others wait.
IMAGE_DECODE_CONCURRENCY = 2
IMAGE_DECODE_WAIT_SECONDS = 30
_decode_slots = threading.BoundedSemaphore(IMAGE_DECODE_CONCURRENCY)
ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
try:
    # Phones (iPhones by default) send HEIC: read through pillow-heif (libheif in its wheel).
    # Orientation is applied by the plugin as it decodes; the stored copy is a JPEG like any other.
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - requirements.txt installs it
    pass
else:
    register_heif_opener()
    ALLOWED_IMAGE_FORMATS.add("HEIF")


def image_reencode(upload: UploadedFile, *, field: str = "image", max_side: int = IMAGE_MAX_SIDE) -> bytes:
    """The upload as JPEG bytes, longest side at most `max_side` px, without metadata.

    Raises ValidationFailed (`not_an_image`: not a JPEG/PNG/WebP/HEIC or broken; `image_too_large`:
    over MAX_IMAGE_UPLOAD_BYTES or too many pixels), its field errors under `field`, and
    Conflict (`busy`) when every decode slot stayed taken for IMAGE_DECODE_WAIT_SECONDS.
    """
    limit = settings.MAX_IMAGE_UPLOAD_BYTES
    too_large = ValidationFailed(
        _("Image is too large"),
        code="image_too_large",
        params={"max_mb": limit // (1024 * 1024)},
        fields={field: [_("At most %(max_mb)s MB per image")]},
    )
    if upload.size is None or upload.size > limit:
        raise too_large
    raw = upload.read()
    if len(raw) > limit:
        raise too_large
    not_image = ValidationFailed(
        _("Not an image"), code="not_an_image", fields={field: [_("Upload a JPEG, PNG or WebP image")]}
    )
    too_many_pixels = ValidationFailed(
        _("Image is too large"), code="image_too_large", fields={field: [_("Image dimensions are too large")]}
    )
    try:
        # Header only: nothing is decoded until the dimensions passed.
        with Image.open(io.BytesIO(raw), formats=sorted(ALLOWED_IMAGE_FORMATS)) as probe:
            if probe.format not in ALLOWED_IMAGE_FORMATS:
                raise not_image
            if probe.width * probe.height > IMAGE_MAX_PIXELS:
                raise too_many_pixels
            probe.verify()
        if not _decode_slots.acquire(timeout=IMAGE_DECODE_WAIT_SECONDS):
            raise Conflict(_("The server is busy processing images; try again in a moment"), code="busy")
        try:
            out = _decode_and_encode(raw, too_many_pixels, max_side)
        finally:
            _decode_slots.release()
    except Image.DecompressionBombError as exc:
        # Pillow refuses to even open a header declaring over 2x its own pixel limit: that is
        # a real image with too many pixels, not "not an image".
        raise too_many_pixels from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise not_image from exc
    return out.getvalue()


def _decode_and_encode(raw: bytes, too_many_pixels: ValidationFailed, max_side: int) -> io.BytesIO:
    """Decode (within IMAGE_MAX_DECODE_PIXELS), orient, shrink, flatten, encode as JPEG."""
    with Image.open(io.BytesIO(raw), formats=sorted(ALLOWED_IMAGE_FORMATS)) as img:
        if img.format == "JPEG" and max(img.size) > max_side:
            # Let libjpeg decode at the smallest 1/2^n scale still covering max_side. The box
            # keeps the photo's aspect: a square (max_side, max_side) box would require the
            # short side to stay >= max_side too, so a 4032x3024 phone photo decoded at full
            # size (12 MP) instead of 2016x1512 (3 MP).
            ratio = max_side / max(img.size)
            img.draft(None, (max(1, int(img.width * ratio)), max(1, int(img.height * ratio))))
        if img.width * img.height > IMAGE_MAX_DECODE_PIXELS:
            raise too_many_pixels
        img.load()
        img = ImageOps.exif_transpose(img)
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        if img.mode in ("RGBA", "LA", "P", "PA"):
            img = img.convert("RGBA")
            # Pictures show on white cards: flatten transparency onto white.
            background = Image.new("RGB", img.size, (255, 255, 255))
            background.paste(img, mask=img.getchannel("A"))
            img = background
        elif img.mode != "RGB":
            img = img.convert("RGB")
        out = io.BytesIO()
        # No exif=/icc_profile= passed: the JPEG carries pixels only.
        img.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) in px of encoded image bytes, read from the header only."""
    with Image.open(io.BytesIO(data)) as img:
        return img.size


def _storage_errors() -> tuple[type[BaseException], ...]:
    errors: tuple[type[BaseException], ...] = (OSError,)
    try:  # boto3 is only used with R2, but always installed
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover
        return errors
    return (*errors, BotoCoreError, ClientError, Boto3Error)


def image_store(*, storage: Storage, name: str, data: bytes) -> str:
    """Write `data` to `storage` under `name` (or the free name the storage picks); answers the
    stored name. A failing storage (disk full, R2 unreachable or refusing) raises ProviderError
    (`storage_unavailable`, 502): the caller has written no row yet, so none points nowhere."""
    try:
        return storage.save(name, ContentFile(data))
    except _storage_errors() as exc:
        logger.warning("storage write of %s failed: %r", name, exc)
        error = ProviderError(
            "Storage",
            _("The picture could not be stored right now; please try again in a moment"),
            code="storage_unavailable",
        )
        error.reason = repr(exc)
        raise error from exc


def image_delete_quietly(*, storage: Storage, names: list[str]) -> None:
    """Delete stored files after their row is gone; a failure leaves an orphan file (harmless,
    logged), never an error for a user whose delete already happened."""
    for name in names:
        try:
            storage.delete(name)
        except _storage_errors() as exc:
            logger.warning("storage delete of %s failed: %r", name, exc)
