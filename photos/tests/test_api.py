"""The enhance-photo API with the offline enhancer: contract, ownership, flag, keep/discard."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage
from django_tasks_db.models import DBTaskResult

from catalog.models import ProductImage
from catalog.tests.factories import catalog_product
from photos.models import EnhanceJob
from photos.tasks import enhance_job_run_task
from photos.tests.conftest import add_photo
from stores.models import StoreFeatureFlags

URL = "/api/seller/products/{}/enhance-photo"


def _sha(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _start(client, product, image_url):
    return client.post(URL.format(product.pk), {"image_url": image_url}, format="json")


@pytest.mark.django_db(transaction=True)
def test_enhance_runs_in_background_and_is_polled(seller_client, product, photo):
    original_hash = _sha(photo.image.name)
    response = _start(seller_client, product, photo.url)
    assert response.status_code == 202, response.content
    body = response.json()["data"]
    assert body["status"] == "queued" and body["image_id"] == str(photo.pk) and body["enhanced_url"] is None
    job_id = body["job_id"]
    queued = DBTaskResult.objects.filter(task_path="photos.tasks.enhance_job_run_task")
    assert [row.args_kwargs["kwargs"]["job_id"] for row in queued] == [job_id]

    # A second press while it runs answers the same job.
    assert _start(seller_client, product, photo.url).json()["data"]["job_id"] == job_id

    assert enhance_job_run_task.call(job_id=job_id) == "succeeded"
    polled = seller_client.get(f"/api/seller/enhance-jobs/{job_id}")
    assert polled.status_code == 200
    data = polled.json()["data"]
    assert data["status"] == "succeeded" and data["progress"] == 100
    job = EnhanceJob.objects.get(pk=job_id)
    assert data["enhanced_url"] == job.result.url and default_storage.exists(job.result.name)
    assert job.provider == "simulator"
    # The original is untouched until the seller chooses.
    assert _sha(photo.image.name) == original_hash
    assert list(product.images.values_list("pk", flat=True)) == [photo.pk]


@pytest.mark.django_db(transaction=True)
def test_absolute_url_on_our_host_and_storage_name_are_accepted(seller_client, product, photo):
    assert _start(seller_client, product, f"http://testserver{photo.url}").status_code == 202
    EnhanceJob.objects.update(status="failed")
    assert _start(seller_client, product, photo.image.name).status_code == 202


@pytest.mark.django_db(transaction=True)
def test_a_rendition_url_enhances_its_original_photo(seller_client, product, photo):
    from tokoblitar.renditions import rendition_names

    names = rendition_names(photo.image)
    assert names, "the photo has renditions"
    jpeg = next(n for n in names if n.endswith(".jpeg"))
    response = _start(seller_client, product, f"http://testserver{photo.image.storage.url(jpeg)}")
    assert response.status_code == 202, response.content
    assert response.json()["data"]["image_id"] == str(photo.pk)
    # A rendition-shaped name the photo does not have is still nobody's photo.
    EnhanceJob.objects.update(status="failed")
    bogus = jpeg.rsplit("/", 1)[0] + "/9999w.jpeg"
    assert _start(seller_client, product, photo.image.storage.url(bogus)).status_code == 404


def test_keep_replace_puts_the_enhanced_photo_in_the_originals_place(seller, seller_client, product, photo, media):
    second = add_photo(seller, product)
    job_id = _start(seller_client, product, photo.url).json()["data"]["job_id"]
    enhance_job_run_task.call(job_id=job_id)
    old_name = photo.image.name
    response = seller_client.post(f"/api/seller/enhance-jobs/{job_id}/keep", {"mode": "replace"}, format="json")
    assert response.status_code == 201, response.content
    new_id = response.json()["data"]["id"]
    images = list(product.images.order_by("position"))
    assert [str(i.pk) for i in images] == [new_id, str(second.pk)]
    assert not ProductImage.objects.filter(pk=photo.pk).exists()
    assert not default_storage.exists(old_name)
    job = EnhanceJob.objects.get(pk=job_id)
    assert job.decision == "replaced" and str(job.kept_image_id) == new_id
    # Decided once.
    again = seller_client.post(f"/api/seller/enhance-jobs/{job_id}/keep", {"mode": "add"}, format="json")
    assert again.status_code == 409 and again.json()["meta"]["code"] == "enhance_decided"


def test_keep_add_and_discard(seller_client, product, photo, media):
    job_id = _start(seller_client, product, photo.url).json()["data"]["job_id"]
    enhance_job_run_task.call(job_id=job_id)
    assert (
        seller_client.post(f"/api/seller/enhance-jobs/{job_id}/keep", {"mode": "add"}, format="json").status_code == 201
    )
    assert product.images.count() == 2 and ProductImage.objects.filter(pk=photo.pk).exists()

    EnhanceJob.objects.all().delete()
    job_id = _start(seller_client, product, photo.url).json()["data"]["job_id"]
    enhance_job_run_task.call(job_id=job_id)
    result_name = EnhanceJob.objects.get(pk=job_id).result.name
    response = seller_client.post(f"/api/seller/enhance-jobs/{job_id}/discard")
    assert response.status_code == 200 and response.json()["data"]["decision"] == "discarded"
    assert not default_storage.exists(result_name)
    assert product.images.count() == 2


def test_another_stores_product_image_and_job_are_404(seller_client, other_seller, other_seller_client, product, photo):
    theirs = catalog_product(other_seller.store, name="Kripik Pisang")
    their_photo = add_photo(other_seller, theirs)
    # Their product through my token.
    assert _start(seller_client, theirs, their_photo.url).status_code == 404
    # Their photo on my product.
    response = _start(seller_client, product, their_photo.url)
    assert response.status_code == 404 and response.json()["meta"]["code"] == "image_not_found"
    # My job through their token.
    job_id = _start(seller_client, product, photo.url).json()["data"]["job_id"]
    assert other_seller_client.get(f"/api/seller/enhance-jobs/{job_id}").status_code == 404
    assert other_seller_client.post(f"/api/seller/enhance-jobs/{job_id}/discard").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/cat.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "https://evil.example/media/products/x.jpg",
        "",
    ],
)
def test_foreign_urls_are_refused_and_never_fetched(seller_client, product, photo, url):
    response = _start(seller_client, product, url)
    assert response.status_code == 400
    if url:
        assert response.json()["meta"]["code"] == "foreign_image_url"
    assert not EnhanceJob.objects.exists()


def test_switched_off_store_gets_403(seller, seller_client, product, photo):
    StoreFeatureFlags.objects.update_or_create(store=seller.store, defaults={"photo_enhance": False})
    response = _start(seller_client, product, photo.url)
    assert response.status_code == 403 and response.json()["meta"]["code"] == "feature_disabled"
    assert not EnhanceJob.objects.exists()


def test_buyer_gets_403(buyer_client, product, photo):
    assert _start(buyer_client, product, photo.url).status_code == 403


def test_unreadable_original_fails_the_job_and_leaves_the_photo(seller_client, product, photo):
    job_id = _start(seller_client, product, photo.url).json()["data"]["job_id"]
    # The stored original is damaged (disk fault): the job fails with a reason, nothing else changes.
    with default_storage.open(photo.image.name, "wb") as handle:
        handle.write(b"\x00garbage")
    assert enhance_job_run_task.call(job_id=job_id) == "failed"
    job = EnhanceJob.objects.get(pk=job_id)
    assert job.reason and not job.result
    assert list(product.images.all()) == [photo]
    keep = seller_client.post(f"/api/seller/enhance-jobs/{job_id}/keep", {"mode": "add"}, format="json")
    assert keep.status_code == 409
    assert seller_client.post(f"/api/seller/enhance-jobs/{job_id}/discard").status_code == 200


def test_schema_documents_the_routes(api_client):
    schema = api_client.get("/api/schema", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    route = paths["/api/seller/products/{product_id}/enhance-photo"]["post"]
    assert {"202", "200"} <= set(route["responses"])
    assert "/api/seller/enhance-jobs/{job_id}" in paths
    assert "/api/seller/enhance-jobs/{job_id}/keep" in paths


@pytest.mark.django_db(transaction=True)
def test_answers_the_enhanced_url_when_it_finished_within_the_request(settings, seller_client, product, photo):
    # With a task backend that runs at once (no worker), the job is done before the answer.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = _start(seller_client, product, photo.url)
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["status"] == "succeeded" and data["enhanced_url"].startswith("/media/enhanced/")
