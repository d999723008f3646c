"""Responsive images (issue 12 item 2, item 4): web-sized renditions drawn once by the task
worker, pages sending the smallest that fits (srcset/sizes, explicit size, lazy below the
fold, the largest first picture fetched first), long-lived media caching, storage failures."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from PIL import Image

from catalog.models import ProductImage
from catalog.tests.factories import catalog_product
from tokoblitar.renditions import renditions_make

pytestmark = pytest.mark.django_db

RENDER_TASK = "tokoblitar.renditions.renditions_make"
PRODUCT_WIDTHS = [160, 320, 480, 640, 960, 1280]


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def photo(size=(1600, 1200)) -> bytes:
    """A phone-like photo: a gradient (real content, so encoders have work to do)."""
    img = Image.linear_gradient("L").resize(size).convert("RGB")
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=92)
    return out.getvalue()


def upload(client, product, data: bytes | None = None):
    return client.post(
        f"/api/seller/products/{product.id}/images",
        {"image": SimpleUploadedFile("foto.jpg", data or photo(), content_type="image/jpeg")},
        format="multipart",
    )


def run_render_tasks() -> int:
    """What the task worker does: run every queued rendition task once."""
    ran = 0
    for row in DBTaskResult.objects.filter(task_path=RENDER_TASK).order_by("enqueued_at"):
        renditions_make.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()
        ran += 1
    return ran


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_upload_queues_renditions_after_commit_and_the_worker_draws_them(
    seller_client, seller, media, django_capture_on_commit_callbacks
):
    product = catalog_product(seller.store)
    with django_capture_on_commit_callbacks(execute=True):
        res = upload(seller_client, product)
    assert res.status_code == 201, res.json()
    image = ProductImage.objects.get()
    # The size is kept (the page reserves the box) and nothing is drawn inside the request.
    assert (image.width, image.height) == (1600, 1200) and not image.renditions_ready
    assert files_under(media) == {image.image.name}
    queued = DBTaskResult.objects.filter(task_path=RENDER_TASK)
    assert queued.count() == 1
    # The task row carries names and sizes only, never the storage's settings (R2 secrets).
    assert "storage" not in str(queued.get().args_kwargs)

    assert run_render_tasks() == 1
    image.refresh_from_db()
    assert image.renditions_ready
    stem = image.image.name.removesuffix(".jpg")
    expected = {f"{stem}/{w}w.{ext}" for w in PRODUCT_WIDTHS for ext in ("webp", "jpeg")}
    assert files_under(media) == {image.image.name, *expected}
    with Image.open(media / f"{stem}/320w.webp") as small:
        assert small.format == "WEBP" and small.size == (320, 240) and not small.getexif()
    with Image.open(media / f"{stem}/160w.jpeg") as thumb:
        assert thumb.format == "JPEG" and thumb.size == (160, 120)
    assert (media / f"{stem}/160w.jpeg").stat().st_size < 8_000


def test_rolled_back_upload_queues_nothing(seller, media, django_capture_on_commit_callbacks):
    from catalog.services import seller_product_create
    from tokoblitar.errors import ValidationFailed

    good = SimpleUploadedFile("a.jpg", photo((400, 300)), content_type="image/jpeg")
    bad = SimpleUploadedFile("b.jpg", b"not an image", content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed):
        seller_product_create(actor=seller, uploads=[good, bad], name="Kopi", price=1000, weight_gram=100)
    assert not DBTaskResult.objects.filter(task_path=RENDER_TASK).exists()


def _img_tags(html: str) -> list[str]:
    return re.findall(r"<img [^>]*>", html)


def test_pages_use_the_original_until_renditions_exist_then_srcset(
    client, seller_client, seller, django_capture_on_commit_callbacks
):
    product = catalog_product(seller.store)
    with django_capture_on_commit_callbacks(execute=True):
        upload(seller_client, product)
    image = ProductImage.objects.get()
    page = reverse("storefront:product", args=[seller.store.slug, product.slug])

    before = client.get(page).content.decode()
    first = _img_tags(before.split('data-testid="gallery"')[1])[0]
    # Before the worker ran: the original (never a 404ing rendition), with its real size.
    assert f'src="{image.image.url}"' in first and "srcset" not in first
    assert 'width="1600" height="1200"' in first and 'fetchpriority="high"' in first

    run_render_tasks()
    after = client.get(page).content.decode()
    gallery = after.split('data-testid="gallery"')[1]
    assert '<source type="image/webp" srcset="' in gallery
    first = _img_tags(gallery)[0]
    assert 'width="1600" height="1200"' in first and 'fetchpriority="high"' in first and "loading=" not in first
    stem = image.image.url.removesuffix(".jpg")
    assert f"{stem}/160w.jpeg 160w" in first and f"{stem}/1280w.jpeg 1280w" in first
    assert 'sizes="(min-width: 1040px) 492px, (min-width: 700px) calc(50vw - 28px), calc(100vw - 32px)"' in first


def test_first_search_card_is_fetched_first_and_the_rest_lazily(client, seller, seller_client):
    for n in range(3):
        product = catalog_product(seller.store, name=f"Keripik Tempe {n}")
        upload(seller_client, product, photo((600, 600)))
    html = client.get(reverse("storefront:search"), {"q": "keripik"}).content.decode()
    cards = html.split('data-testid="product-card"')[1:]
    assert len(cards) == 3
    imgs = [_img_tags(card)[0] for card in cards]
    assert 'fetchpriority="high"' in imgs[0] and "loading=" not in imgs[0]
    for img in imgs[1:]:
        assert 'loading="lazy"' in img and "fetchpriority" not in img
    assert all('width="600" height="600"' in img for img in imgs)


def test_cart_thumbnail_never_gets_a_big_photo(client, seller, seller_client, django_capture_on_commit_callbacks):
    product = catalog_product(seller.store)
    with django_capture_on_commit_callbacks(execute=True):
        upload(seller_client, product)
    run_render_tasks()
    client.post(reverse("storefront:cart-add"), {"product_id": product.id, "quantity": 1})
    html = client.get(reverse("storefront:cart")).content.decode()
    thumb = html.split('<source type="image/webp" srcset="')[1].split(">")[0]
    assert 'sizes="64px"' in thumb
    # The browser picks by `sizes`: 64 CSS px on a 2x phone -> the 160 px file is the first
    # that fills it, and the JPEG fallback `src` is never the 1600 px original.
    assert thumb.startswith(ProductImage.objects.get().image.url.removesuffix(".jpg") + "/160w.webp 160w")
    img = _img_tags(html.split('class="line')[1])[0]
    assert ProductImage.objects.get().image.url not in img.split("srcset")[0]


def test_deleting_an_image_deletes_its_renditions(seller_client, seller, media, django_capture_on_commit_callbacks):
    product = catalog_product(seller.store)
    with django_capture_on_commit_callbacks(execute=True):
        image_id = upload(seller_client, product).json()["data"]["id"]
    run_render_tasks()
    assert len(files_under(media)) == 1 + 2 * len(PRODUCT_WIDTHS)
    res = seller_client.delete(f"/api/seller/products/{product.id}/images/{image_id}")
    assert res.status_code == 200
    assert files_under(media) == set()


def test_a_render_task_for_a_deleted_image_does_nothing(
    seller_client, seller, media, django_capture_on_commit_callbacks
):
    product = catalog_product(seller.store)
    with django_capture_on_commit_callbacks(execute=True):
        image_id = upload(seller_client, product).json()["data"]["id"]
    seller_client.delete(f"/api/seller/products/{product.id}/images/{image_id}")
    run_render_tasks()  # the worker got to it late: no error, no files resurrected
    assert files_under(media) == set()


def test_local_media_is_cached_for_a_year(client, seller_client, seller):
    product = catalog_product(seller.store)
    upload(seller_client, product)
    res = client.get(ProductImage.objects.get().image.url)
    assert res.status_code == 200
    assert res["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/media/products/nope.jpg").status_code == 404


class BrokenStorage(FileSystemStorage):
    """A disk that refuses every write (full, read-only, unmounted)."""

    def _save(self, name, content):
        raise OSError(28, "No space left on device")


@override_settings(
    STORAGES={
        "default": {"BACKEND": "catalog.tests.test_renditions.BrokenStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
def test_storage_failure_is_a_clear_502_and_leaves_no_row(seller_client, seller, media):
    product = catalog_product(seller.store)
    res = seller_client.post(
        f"/api/seller/products/{product.id}/images",
        {"image": SimpleUploadedFile("foto.jpg", photo((400, 300)), content_type="image/jpeg")},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert res.status_code == 502, res.content
    body = res.json()
    assert body["meta"]["code"] == "storage_unavailable"
    assert body["error"] == "The picture could not be stored right now; please try again in a moment"
    assert not ProductImage.objects.exists() and files_under(media) == set()


def test_backfill_measures_old_rows_and_a_missing_file_never_breaks_a_page(client, seller, media):
    from django.core.management import call_command

    from tokoblitar.renditions import sizes_backfill

    product = catalog_product(seller.store)
    (media / "products").mkdir()
    Image.new("RGB", (900, 600), (10, 120, 80)).save(media / "products/lama.jpg", format="JPEG")
    # Rows stored before sizes were kept: one with its file, one whose file went missing.
    ProductImage.objects.bulk_create(
        [
            ProductImage(product=product, image="products/lama.jpg", position=0),
            ProductImage(product=product, image="products/hilang.jpg", position=1),
        ]
    )
    # Loading a row never opens its file: a missing one does not fail the product page.
    page = client.get(reverse("storefront:product", args=[seller.store.slug, product.slug]))
    assert page.status_code == 200
    assert sizes_backfill(ProductImage, "image") == 1
    sizes = dict(ProductImage.objects.values_list("image", "width"))
    assert sizes == {"products/lama.jpg": 900, "products/hilang.jpg": None}

    call_command("renditions_backfill", "--now")
    kept = ProductImage.objects.get(image="products/lama.jpg")
    assert kept.renditions_ready and (media / "products/lama/640w.webp").exists()
    assert not ProductImage.objects.get(image="products/hilang.jpg").renditions_ready
