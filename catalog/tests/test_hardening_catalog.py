"""Issue 9 item 22 on the catalogue: spelling variants both ways, and an image over the pixel
limit refused through the API with nothing stored."""

from __future__ import annotations

import io
import os

import pytest
from django.test import override_settings
from PIL import Image

from catalog.models import ProductImage
from catalog.services import IMAGE_MAX_DECODE_PIXELS
from catalog.tests.factories import catalog_product
from conftest import make_user

URL = "/api/buyer/products"


def names(res) -> set[str]:  # noqa: ANN001
    assert res.status_code == 200, res.json()
    return {item["name"] for item in res.json()["data"]}


@pytest.fixture
def variants(db):
    store = make_user("seller").store
    catalog_product(store, name="Sambal Pecel Khas Blitar", price=17000)
    catalog_product(store, name="Sambel Tumpang Bu Sri", price=16000)
    catalog_product(store, name="Keripik Tempe Original", price=18000)
    catalog_product(store, name="Kripik Singkong Balado", price=12000)
    return store


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["sambal", "sambel", "Sambal"])
def test_either_spelling_finds_both_sambal_and_sambel(api_client, variants, query):
    found = names(api_client.get(URL, {"search": query}))
    assert {"Sambal Pecel Khas Blitar", "Sambel Tumpang Bu Sri"} <= found
    assert "Keripik Tempe Original" not in found


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["keripik", "kripik"])
def test_either_spelling_finds_both_keripik_and_kripik(api_client, variants, query):
    assert {"Keripik Tempe Original", "Kripik Singkong Balado"} <= names(api_client.get(URL, {"search": query}))


@pytest.mark.django_db
def test_image_over_the_pixel_limit_in_a_small_file_is_400_and_nothing_stored(seller, seller_client, tmp_path):
    out = io.BytesIO()
    Image.new("1", (6300, 6300)).save(out, format="PNG")
    assert len(out.getvalue()) < 200_000 and 6300 * 6300 > IMAGE_MAX_DECODE_PIXELS
    out.name = "besar.png"
    out.seek(0)
    product = catalog_product(seller.store)
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        response = seller_client.post(f"/api/seller/products/{product.pk}/images", {"image": out}, format="multipart")
    assert response.status_code == 400
    assert response.json()["meta"]["code"] == "image_too_large"
    assert not ProductImage.objects.exists()
    assert [f for _d, _s, files in os.walk(tmp_path) for f in files] == []
