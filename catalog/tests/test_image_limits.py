"""Image decode budget (issue 9 item 18): sizes are checked from the header before any
decode, cheap limits before the decode, and big JPEGs decode at a reduced scale."""

from __future__ import annotations

import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from PIL import Image

from catalog import services
from catalog.models import ProductImage
from catalog.services import IMAGE_MAX_DECODE_PIXELS, MAX_IMAGES_PER_PRODUCT, product_image_add
from catalog.tests.factories import catalog_product, image_bytes
from tokoblitar import images
from tokoblitar.errors import ValidationFailed


@pytest.fixture(autouse=True)
def _english():
    # Messages are read in the active language; these assert the API's English wording.
    with translation.override("en"):
        yield


def _upload(data: bytes, name: str = "foto.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def _media_files(root) -> list[str]:
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


@pytest.fixture
def media(tmp_path):
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        yield tmp_path


@pytest.mark.django_db
def test_small_png_with_huge_dimensions_is_refused_without_decoding(seller, media):
    # 6300 x 6300 px in a few KB: under the old 40 MP limit, ~500 MB to decode.
    out = io.BytesIO()
    Image.new("1", (6300, 6300)).save(out, format="PNG")
    assert len(out.getvalue()) < 200_000 and 6300 * 6300 > IMAGE_MAX_DECODE_PIXELS
    product = catalog_product(seller.store)
    started = time.monotonic()
    with pytest.raises(ValidationFailed) as caught:
        product_image_add(product=product, upload=_upload(out.getvalue()))
    assert time.monotonic() - started < 1.0
    assert caught.value.fields == {"image": ["Image dimensions are too large"]}
    assert not ProductImage.objects.exists() and _media_files(media) == []


@pytest.mark.django_db
def test_large_jpeg_decodes_at_reduced_scale(seller, media):
    # 5000 x 3600 = 18 MP (over the 16 MP decode budget): JPEG draft mode decodes it at 1/2.
    product = catalog_product(seller.store)
    image = product_image_add(product=product, upload=_upload(image_bytes("JPEG", (5000, 3600)), "foto.jpg"))
    with Image.open(image.image.path) as stored:
        assert max(stored.size) == services.IMAGE_MAX_SIDE


@pytest.mark.django_db
def test_image_count_is_checked_before_decoding(seller, media):
    product = catalog_product(seller.store)
    ProductImage.objects.bulk_create(
        ProductImage(product=product, image=f"products/x{n}.jpg", position=n) for n in range(MAX_IMAGES_PER_PRODUCT)
    )
    # Not even an image: the cheap limit answers first, nothing is read or decoded.
    with pytest.raises(ValidationFailed) as caught:
        product_image_add(product=product, upload=_upload(b"not an image at all"))
    assert caught.value.fields == {"image": [f"At most {MAX_IMAGES_PER_PRODUCT} images per product"]}


def test_decodes_are_bounded_per_process():
    # Hold every slot: the next decode waits, then gives up with a 409 "busy" rather than
    # adding another few hundred MB.
    taken = [images._decode_slots.acquire(timeout=1) for _ in range(images.IMAGE_DECODE_CONCURRENCY)]
    assert all(taken)
    try:
        from tokoblitar.errors import Conflict

        original = images.IMAGE_DECODE_WAIT_SECONDS
        images.IMAGE_DECODE_WAIT_SECONDS = 0.2
        try:
            with pytest.raises(Conflict):
                images.image_reencode(_upload(image_bytes("PNG", (40, 40))))
        finally:
            images.IMAGE_DECODE_WAIT_SECONDS = original
    finally:
        for _ in taken:
            images._decode_slots.release()
    assert images.image_reencode(_upload(image_bytes("PNG", (40, 40))))[:2] == b"\xff\xd8"
