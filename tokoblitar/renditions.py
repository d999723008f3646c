"""Web-sized renditions of every stored picture (product photos, store logos and banners).

The library is django-pictures: its `PictureField` (an ImageField) knows, from the picture's
width/height columns, which renditions exist for a file (`<name without .jpg>/<width>w.webp`
and `.jpeg`, next to the original in the same storage), computes which to make or drop when
the file changes and draws them with Pillow. What we add here:

- the processor (PICTURES["PROCESSOR"]): instead of drawing inside the request, it enqueues
  `renditions_make` (django-tasks, database queue) after the transaction commits, so an
  upload answers at once and a rolled-back upload never renders;
- the task drops the storage's deconstructed arguments the library would pass along (with R2
  they carry the secret key, which must not be written into the task table) and uses the
  field's own storage;
- `picture_processed` is sent when the files exist: catalog and stores mark their rows ready,
  and pages switch from the original to `srcset` only then (no 404s in between);
- `renditions_delete`: drop every rendition of a file now (an image deleted by a seller).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import transaction
from django_tasks import task
from pictures import signals
from pictures.models import PictureField, PictureFieldFile, PillowPicture
from PIL import Image

logger = logging.getLogger(__name__)

# Rendition widths: `container_width` x (1..grid_columns)/grid_columns x each pixel density,
# never wider than the original. Products: 160 320 480 640 960 1280 (a 64 px cart thumbnail on
# a 2x phone takes the 160, a half-screen card the 320/480, the gallery the 640-1280).
PRODUCT_RENDITIONS = {"container_width": 640, "grid_columns": 4}
LOGO_RENDITIONS = {"container_width": 256, "grid_columns": 2}  # 128 256 512
BANNER_RENDITIONS = {"container_width": 800, "grid_columns": 2}  # 400 800 1600


class StoredPictureField(PictureField):
    """django-pictures' field whose size columns are written by the code that stores the file.

    Django's ImageField opens the file on every row load whose width/height are empty, to
    measure it: a listing of 20 products would make 20 storage reads (R2 round trips), and a
    row whose file went missing would fail the whole page. Here a loaded row never opens its
    file; the size is measured only when a new file is assigned (the admin's upload form)."""

    def update_dimension_fields(self, instance: Any, force: bool = False, *args: Any, **kwargs: Any) -> None:
        if force:
            super().update_dimension_fields(instance, force, *args, **kwargs)


def sizes_backfill(model: Any, field: str) -> int:
    """Fill the size columns of `model` rows whose `field` file has none, reading each file's
    header from the default storage (migrations, on data stored before sizes were kept).
    Rows whose file is missing or unreadable stay without a size. Answers the rows filled."""
    from django.core.files.storage import default_storage

    model_field = model._meta.get_field(field)
    width_field, height_field = model_field.width_field, model_field.height_field
    filled = 0
    rows = model.objects.filter(**{f"{width_field}__isnull": True}).exclude(**{field: ""}).values_list("pk", field)
    for pk, name in rows.iterator():
        try:
            with default_storage.open(name) as fh, Image.open(fh) as img:
                width, height = img.size
        except Exception as exc:  # noqa: BLE001 - a missing or broken old file keeps no size
            logger.info("sizes_backfill: %s %s unreadable: %r", model.__name__, name, exc)
            continue
        filled += model.objects.filter(pk=pk).update(**{width_field: width, height_field: height})
    return filled


class Rendition(PillowPicture):
    """One rendition file: the library's resize, encoded smaller than Pillow's defaults."""

    def save(self, image: Image.Image) -> None:
        img = self.resize(image)
        if self.file_type == "WEBP":
            options: dict[str, Any] = {"quality": 78, "method": 4}
        else:
            options = {"quality": 80, "optimize": True, "progressive": True}
            img = img.convert("RGB")
        out = io.BytesIO()
        # No exif/icc passed: a rendition carries pixels only, like the original we stored.
        img.save(out, format=self.file_type, **options)
        # The name is deterministic: an earlier run's file is replaced, not suffixed (S3/R2
        # overwrite in place; a local disk would otherwise pick another name).
        if not getattr(self.storage, "file_overwrite", False):
            self.storage.delete(self.name)
        self.storage.save(self.name, ContentFile(out.getvalue()))


def _spec(picture: tuple[str, list, dict]) -> list:
    """(file_type, ratio, width) of a deconstructed Picture, without its storage."""
    _path, (_parent, file_type, ratio, _storage, width), _kwargs = picture
    return [file_type, ratio, width]


def enqueue(
    *,
    storage: tuple[str, list, dict],
    file_name: str,
    sender: tuple[str, str, str] | None,
    new: list | None = None,
    old: list | None = None,
) -> None:
    """django-pictures' PROCESSOR: render `new` / delete `old` in the background after commit."""
    if sender is None:
        return
    kwargs = {
        "file_name": file_name,
        "sender": list(sender),
        "new": [_spec(p) for p in new or []],
        "old": [_spec(p) for p in old or []],
    }
    transaction.on_commit(partial(renditions_make.enqueue, **kwargs))


def _field(sender: Iterable[str]):
    app_label, model_name, field_name = sender
    return apps.get_model(app_label, model_name)._meta.get_field(field_name)


@task()
def renditions_make(*, file_name: str, sender: list[str], new: list[list], old: list[list]) -> int:
    """Draw the renditions `new` ([file_type, ratio, width]) of the stored `file_name`, delete
    `old`, then send `picture_processed`. Answers how many files were written; 0 when the
    original is gone already (deleted before the task ran: nothing to do)."""
    field = _field(sender)
    storage = field.storage
    written = 0
    if new:
        try:
            source = storage.open(file_name)
        except FileNotFoundError:
            logger.info("renditions: %s is gone, nothing to render", file_name)
            return 0
        with source as fs, Image.open(fs) as img:
            img = PillowPicture.pre_process(img)
            for file_type, ratio, width in new:
                Rendition(file_name, file_type, ratio, storage, width).save(img)
                written += 1
    for file_type, ratio, width in old:
        Rendition(file_name, file_type, ratio, storage, width).delete()
    signals.picture_processed.send(sender=field, file_name=file_name, new=new, old=old)
    return written


def rendition_names(field_file: PictureFieldFile) -> list[str]:
    """Storage names of every rendition `field_file` has (or will have); [] without a file or
    before its size is known. Reads no file."""
    width_field = field_file.field.width_field
    if not field_file or not (width_field and getattr(field_file.instance, width_field)):
        return []
    return sorted(p.name for p in field_file.get_picture_files_list())


def renditions_make_now(field_file: PictureFieldFile) -> int:
    """Draw every rendition of `field_file` in this process (backfill, benchmarks, tests)."""
    pictures = field_file.get_picture_files_list()
    return renditions_make.call(
        file_name=field_file.name,
        sender=list(field_file.sender),
        new=[[p.file_type, str(p.aspect_ratio) if p.aspect_ratio else None, p.width] for p in pictures],
        old=[],
    )


def srcset(field_file: PictureFieldFile, file_type: str) -> list[tuple[int, str]]:
    """[(width, url)] of one file type's renditions, narrowest first."""
    sources = field_file.aspect_ratios.get(None, {}).get(file_type, {})
    return sorted((width, picture.url) for width, picture in sources.items())
