"""The Cloudflare R2 path (issue 12 items 1, 3, 4) against a local S3-compatible server that
speaks the real S3 wire protocol (moto in server mode on 127.0.0.1), through django-storages
and boto3 exactly as configured in settings when R2_BUCKET is set: upload a product photo via
the API, its renditions land in the bucket, the URL is served, deleting removes the original
and every rendition; with the server down the upload is a clear 502 and leaves no row."""

from __future__ import annotations

import io

import boto3
import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from moto.server import ThreadedMotoServer
from PIL import Image

from catalog.models import ProductImage
from catalog.tests.factories import catalog_product
from tokoblitar.renditions import renditions_make

pytestmark = pytest.mark.django_db

BUCKET = "tokoblitar-media"
KEY_ID, SECRET = "test-key-id", "test-secret-key"


@pytest.fixture
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET, region_name="us-east-1"
    )
    client.create_bucket(Bucket=BUCKET)
    yield server, endpoint, client
    server.stop()


def _settings_r2_default() -> dict:
    """STORAGES["default"] exactly as tokoblitar/settings.py builds it when R2_BUCKET is set."""
    import importlib
    import os

    from tokoblitar import settings as settings_module

    env = {"R2_BUCKET": BUCKET, "R2_ENDPOINT_URL": "http://r2.invalid", "R2_ACCESS_KEY_ID": KEY_ID}
    env["R2_SECRET_ACCESS_KEY"] = SECRET
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        return importlib.reload(settings_module).STORAGES["default"]
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        importlib.reload(settings_module)


R2_DEFAULT = _settings_r2_default()


def r2_storages(endpoint: str) -> dict:
    """settings.STORAGES of the R2 branch, pointed at the local S3 server."""
    from django.conf import settings

    options = {**R2_DEFAULT["OPTIONS"], "endpoint_url": endpoint}
    return {"default": {**R2_DEFAULT, "OPTIONS": options}, "staticfiles": settings.STORAGES["staticfiles"]}


def photo() -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((1200, 900)).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


def keys(client) -> set[str]:
    return {o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_r2_settings_are_s3_without_acls_with_presigned_urls_and_long_caching():
    options = R2_DEFAULT["OPTIONS"]
    assert R2_DEFAULT["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["default_acl"] is None and options["querystring_auth"] is True  # R2: no ACLs
    assert options["signature_version"] == "s3v4" and options["region_name"] == "auto"
    assert options["object_parameters"] == {"CacheControl": "public, max-age=31536000, immutable"}


def test_upload_render_serve_and_delete_through_the_s3_api(
    s3_server, seller_client, seller, django_capture_on_commit_callbacks
):
    _server, endpoint, client = s3_server
    product = catalog_product(seller.store)
    with override_settings(STORAGES=r2_storages(endpoint)):
        with django_capture_on_commit_callbacks(execute=True):
            res = seller_client.post(
                f"/api/seller/products/{product.id}/images",
                {"image": SimpleUploadedFile("foto.jpg", photo(), content_type="image/jpeg")},
                format="multipart",
            )
        assert res.status_code == 201, res.json()
        image = ProductImage.objects.get()
        assert keys(client) == {image.image.name}
        head = client.head_object(Bucket=BUCKET, Key=image.image.name)
        assert head["CacheControl"] == "public, max-age=31536000, immutable"

        # The task worker draws the renditions into the bucket.
        for row in DBTaskResult.objects.filter(task_path="tokoblitar.renditions.renditions_make"):
            renditions_make.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        image.refresh_from_db()
        assert image.renditions_ready
        stem = image.image.name.removesuffix(".jpg")
        renditions = {f"{stem}/{w}w.{x}" for w in (160, 320, 480, 640, 960) for x in ("webp", "jpeg")}
        assert keys(client) == {image.image.name, *renditions}

        # The URL the API answers (presigned, on the S3 endpoint) is served by the bucket.
        url = res.json()["data"]["url"]
        assert url.startswith(f"{endpoint}/{BUCKET}/{image.image.name}?") and "X-Amz-Signature=" in url
        got = requests.get(url, timeout=10)
        assert got.status_code == 200 and got.content[:3] == b"\xff\xd8\xff"
        webp_url = image.image.aspect_ratios[None]["WEBP"][320].url
        got = requests.get(webp_url, timeout=10)
        assert got.status_code == 200 and got.content[8:12] == b"WEBP"

        res = seller_client.delete(f"/api/seller/products/{product.id}/images/{image.id}")
        assert res.status_code == 200
        assert keys(client) == set()


def test_upload_with_the_bucket_unreachable_is_a_502_and_no_row(s3_server, seller_client, seller):
    server, endpoint, client = s3_server
    product = catalog_product(seller.store)
    server.stop()
    with override_settings(STORAGES=r2_storages(endpoint)):
        res = seller_client.post(
            f"/api/seller/products/{product.id}/images",
            {"image": SimpleUploadedFile("foto.jpg", photo(), content_type="image/jpeg")},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert res.status_code == 502, res.content
    assert res.json()["meta"]["code"] == "storage_unavailable"
    assert not ProductImage.objects.exists()
    server.start()  # the fixture stops it again
