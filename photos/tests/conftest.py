"""Fixtures: a seller's product holding one dark, low-contrast, yellow-cast phone photo."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from catalog.models import Product, ProductImage
from catalog.services import seller_product_image_add
from catalog.tests.factories import catalog_product


def dark_photo(size: tuple[int, int] = (480, 360)) -> bytes:
    """A kitchen-table photo: dim, flat, yellow bulb light, a product in the middle."""
    img = Image.new("RGB", size, (62, 52, 30))
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.ellipse((w * 0.3, h * 0.25, w * 0.7, h * 0.8), fill=(96, 80, 46))
    draw.rectangle((w * 0.42, h * 0.35, w * 0.58, h * 0.6), fill=(110, 66, 40))
    for x in range(0, w, 12):  # a little texture so sharpening has edges to work on
        draw.line((x, 0, x, h), fill=(66, 56, 33))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def add_photo(seller, product: Product, data: bytes | None = None) -> ProductImage:
    upload = SimpleUploadedFile("foto.jpg", data or dark_photo(), content_type="image/jpeg")
    return seller_product_image_add(actor=seller, product_id=product.pk, upload=upload)


@pytest.fixture
def product(seller, media) -> Product:
    return catalog_product(seller.store, name="Sambal Pecel Bu Sri")


@pytest.fixture
def photo(seller, product) -> ProductImage:
    return add_photo(seller, product)
