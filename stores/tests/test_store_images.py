"""Store logo and banner (issue 11 item 13): uploaded through the same validated path as product
photos (content checked, EXIF with the GPS position stripped), stored in the default storage;
older logo/banner links keep working."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import PASSWORD
from stores.models import Store

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def seller_web(client, seller):
    assert client.login(email=seller.email, password=PASSWORD)
    return client


def jpeg_with_gps(size=(800, 800)) -> bytes:
    image = Image.new("RGB", size, (30, 120, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "S", 2: (8.0, 5.0, 42.0), 3: "E", 4: (112.0, 10.0, 21.0)}
    exif[0x8825] = gps  # GPSInfo IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the fixture really carries GPS
    return data


def upload(data: bytes, name: str = "logo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def base_form(store: Store, **extra) -> dict:
    return {"name": store.name, **extra}


def test_logo_and_banner_upload_from_the_dashboard(seller_web, seller):
    store = seller.store
    png = io.BytesIO()
    Image.new("RGBA", (2400, 700), (200, 80, 20, 128)).save(png, format="PNG")
    response = seller_web.post(
        "/dashboard/toko/",
        base_form(store, logo=upload(jpeg_with_gps()), banner=upload(png.getvalue(), "banner.png", "image/png")),
    )
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.logo.name.startswith("stores/logos/") and store.banner.name.startswith("stores/banners/")
    with default_storage.open(store.logo.name) as fh:
        logo = Image.open(fh)
        logo.load()
    assert logo.format == "JPEG" and max(logo.size) == 512
    # EXIF (camera, GPS position of the seller's home) never survives the re-encode.
    assert not logo.getexif() and not logo.getexif().get_ifd(0x8825)
    with default_storage.open(store.banner.name) as fh:
        banner = Image.open(fh)
        banner.load()
    assert banner.format == "JPEG" and banner.size == (1600, 467)
    # Pages show the uploaded files.
    page = seller_web.get(f"/store/{store.slug}/").content.decode()
    assert store.logo.url in page and store.banner.url in page


def test_new_logo_replaces_and_deletes_the_old_file(seller_web, seller, django_capture_on_commit_callbacks):
    store = seller.store
    seller_web.post("/dashboard/toko/", base_form(store, logo=upload(jpeg_with_gps())))
    store.refresh_from_db()
    first = store.logo.name
    with django_capture_on_commit_callbacks(execute=True):  # the old file goes after commit
        seller_web.post("/dashboard/toko/", base_form(store, logo=upload(jpeg_with_gps((300, 300)))))
    store.refresh_from_db()
    assert store.logo.name != first
    assert default_storage.exists(store.logo.name) and not default_storage.exists(first)


def test_non_image_logo_is_refused_and_nothing_is_written(seller_web, seller, media):
    store = seller.store
    response = seller_web.post(
        "/dashboard/toko/",
        base_form(store, name="Nama Baru", logo=upload(b"%PDF-1.4 not an image", "logo.jpg")),
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()  # the refusal is shown at the field
    store.refresh_from_db()
    assert store.name != "Nama Baru" and not store.logo  # the edit was undone with the picture
    assert not any(media.rglob("*.jpg"))


def test_existing_logo_url_still_shown(client, seller):
    Store.objects.filter(pk=seller.store.pk).update(logo_url="https://cdn.example.id/logo.png")
    page = client.get(f"/store/{seller.store.slug}/").content.decode()
    assert "https://cdn.example.id/logo.png" in page


def test_api_logo_upload(seller_client, seller):
    response = seller_client.post("/api/seller/store/logo", {"image": upload(jpeg_with_gps())}, format="multipart")
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    seller.store.refresh_from_db()
    assert data["logo"] == seller.store.logo.url and data["logo_url"] == ""
    bad = seller_client.post("/api/seller/store/banner", {"image": upload(b"nope")}, format="multipart")
    assert bad.status_code == 400 and bad.json()["meta"]["code"] == "not_an_image"
