"""Product photo uploads (issue 12 item 1) through the API: every refusal is a 400 that names
the problem (`meta.code` and a message at the field) and stores nothing; what is accepted is
turned upright and loses its metadata (a seller's home position never leaks); HEIC from
phones is read."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import ProductImage
from catalog.tests.factories import catalog_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def post(client, product, data: bytes, name: str = "foto.jpg", ctype: str = "image/jpeg"):
    return client.post(
        f"/api/seller/products/{product.id}/images",
        {"image": SimpleUploadedFile(name, data, content_type=ctype)},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def phone_jpeg(size=(400, 200), orientation: int | None = None, gps: bool = False) -> bytes:
    """A left-dark/right-light photo as a phone writes it: EXIF orientation, camera, GPS."""
    img = Image.new("RGB", size, (255, 255, 255))
    img.paste((0, 0, 0), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "S", 2: (8.0, 5.0, 42.0), 3: "E", 4: (112.0, 10.0, 21.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif, quality=95)
    return out.getvalue()


def assert_refused(res, code: str, message: str, media) -> None:
    assert res.status_code == 400, res.content
    body = res.json()
    assert body["meta"]["code"] == code
    assert body["meta"]["fields"] == {"image": [message]}
    assert not ProductImage.objects.exists() and not any(p.is_file() for p in media.rglob("*"))


def test_non_image_is_refused_naming_the_problem(seller_client, seller, media):
    res = post(seller_client, catalog_product(seller.store), b"%PDF-1.7 a price list", "daftar.jpg")
    assert_refused(res, "not_an_image", "Upload a JPEG, PNG or WebP image", media)


def test_truncated_photo_is_refused(seller_client, seller, media):
    data = phone_jpeg((800, 600))
    res = post(seller_client, catalog_product(seller.store), data[: len(data) // 2])
    assert_refused(res, "not_an_image", "Upload a JPEG, PNG or WebP image", media)


def test_decompression_bomb_is_refused(seller_client, seller, media):
    # 10,000 x 10,000 px (100 MP, 400 MB decoded) in a ~100 KB PNG.
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")
    assert len(out.getvalue()) < 2_000_000
    res = post(seller_client, catalog_product(seller.store), out.getvalue(), "bom.png", "image/png")
    assert_refused(res, "image_too_large", "Image dimensions are too large", media)


def test_header_beyond_pillows_own_limit_is_too_large_not_a_non_image(seller_client, seller, media):
    # 30,000 x 30,000 px: Pillow refuses to open it at all (over 2x its bomb limit); it is still
    # a PNG, so the seller must hear "too many pixels", not "upload a JPEG, PNG or WebP".
    out = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(out, format="PNG")
    res = post(seller_client, catalog_product(seller.store), out.getvalue(), "besar-sekali.png", "image/png")
    assert_refused(res, "image_too_large", "Image dimensions are too large", media)


def test_file_over_10_mb_is_refused_before_decoding(seller_client, seller, media):
    data = phone_jpeg() + os.urandom(10 * 1024 * 1024)  # a real JPEG start, 10 MB + a bit
    res = post(seller_client, catalog_product(seller.store), data, "besar.jpg")
    assert_refused(res, "image_too_large", "At most 10 MB per image", media)


def test_exif_orientation_is_applied_and_gps_stripped(seller_client, seller, media):
    # Orientation 6: the sensor's landscape shows rotated 90 degrees clockwise (portrait).
    res = post(seller_client, catalog_product(seller.store), phone_jpeg((400, 200), orientation=6, gps=True))
    assert res.status_code == 201, res.json()
    image = ProductImage.objects.get()
    assert (image.width, image.height) == (200, 400)
    with Image.open(image.image.path) as stored:
        assert stored.size == (200, 400)
        # Upright: the dark half of the sensor image is now on top.
        assert stored.getpixel((100, 50))[0] < 60 and stored.getpixel((100, 350))[0] > 200
        exif = stored.getexif()
        assert not exif and not exif.get_ifd(0x8825) and "exif" not in stored.info


def test_heic_from_a_phone_is_accepted_as_a_jpeg(seller_client, seller, media):
    pytest.importorskip("pillow_heif")
    out = io.BytesIO()
    Image.linear_gradient("L").resize((800, 600)).convert("RGB").save(out, format="HEIF", quality=80)
    res = post(seller_client, catalog_product(seller.store), out.getvalue(), "IMG_0001.HEIC", "image/heic")
    assert res.status_code == 201, res.json()
    with Image.open(ProductImage.objects.get().image.path) as stored:
        assert stored.format == "JPEG" and stored.size == (800, 600)


def test_a_4_3_phone_photo_decodes_at_half_scale(seller_client, seller, media, monkeypatch):
    from tokoblitar import images

    # 4032x3024 (12 MP) must decode as 2016x1512 (3 MP): with a 4 MP budget it still passes.
    monkeypatch.setattr(images, "IMAGE_MAX_DECODE_PIXELS", 4_000_000)
    img = Image.linear_gradient("L").resize((4032, 3024)).convert("RGB")
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=80)
    res = post(seller_client, catalog_product(seller.store), out.getvalue())
    assert res.status_code == 201, res.json()
    assert (ProductImage.objects.get().width, ProductImage.objects.get().height) == (1600, 1200)
