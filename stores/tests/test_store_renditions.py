"""Store logo and banner renditions (issue 12 item 2): drawn by the task worker, shown with
srcset once ready, the banner fetched first on the store page; a replaced picture's
renditions go with it."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult
from PIL import Image

from stores.models import Store
from tokoblitar.renditions import renditions_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def picture(size) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def run_render_tasks() -> None:
    for row in DBTaskResult.objects.filter(task_path="tokoblitar.renditions.renditions_make"):
        renditions_make.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()


def files(root) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_logo_and_banner_get_renditions_and_the_banner_is_fetched_first(
    client, seller_client, seller, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for kind, size in (("logo", (600, 600)), ("banner", (2000, 500))):
            res = seller_client.post(f"/api/seller/store/{kind}", {"image": picture(size)}, format="multipart")
            assert res.status_code == 200
    store = Store.objects.get(pk=seller.store.pk)
    assert (store.logo_width, store.logo_height, store.banner_width, store.banner_height) == (512, 512, 1600, 400)
    html = client.get(f"/store/{store.slug}/").content.decode()
    banner = html.split('data-testid="store-banner-img"')[0].rsplit("<img", 1)[1]
    assert store.banner.url in banner and "srcset" not in banner  # the original until drawn
    run_render_tasks()
    store.refresh_from_db()
    assert store.logo_renditions_ready and store.banner_renditions_ready
    logo_stem, banner_stem = store.logo.name.removesuffix(".jpg"), store.banner.name.removesuffix(".jpg")
    assert {f"{logo_stem}/{w}w.webp" for w in (128, 256, 512)} <= files(media)
    assert {f"{banner_stem}/{w}w.jpeg" for w in (400, 800, 1600)} <= files(media)
    html = client.get(f"/store/{store.slug}/").content.decode()
    banner = html.split('data-testid="store-banner-img"')[0].rsplit("<img", 1)[1]
    assert 'fetchpriority="high"' in banner and "loading=" not in banner and 'width="1600" height="400"' in banner
    assert f"{banner_stem}/400w.jpeg 400w" in banner
    assert f"{store.logo.url.removesuffix('.jpg')}/128w.webp 128w" in html


def test_replacing_a_logo_deletes_the_old_one_and_its_renditions(
    seller_client, seller, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        seller_client.post("/api/seller/store/logo", {"image": picture((600, 600))}, format="multipart")
    run_render_tasks()
    with django_capture_on_commit_callbacks(execute=True):
        seller_client.post("/api/seller/store/logo", {"image": picture((300, 300))}, format="multipart")
    store = Store.objects.get(pk=seller.store.pk)
    assert not store.logo_renditions_ready  # the new picture's renditions are not drawn yet
    assert files(media) == {store.logo.name}
    run_render_tasks()
    store.refresh_from_db()
    stem = store.logo.name.removesuffix(".jpg")
    assert store.logo_renditions_ready
    assert files(media) == {store.logo.name, *(f"{stem}/{w}w.{x}" for w in (128, 256) for x in ("webp", "jpeg"))}


def test_store_page_fetches_one_picture_first(client, seller, seller_client):
    from catalog.services import product_image_add
    from catalog.tests.factories import catalog_product

    for n in range(2):
        product_image_add(product=catalog_product(seller.store, name=f"Kopi {n}"), upload=picture((300, 300)))
    page = f"/store/{seller.store.slug}/"
    cards = client.get(page).content.decode().split('data-testid="product-card"')[1:]
    # No banner: the first card is the largest picture above the fold.
    assert 'fetchpriority="high"' in cards[0] and "loading=" not in cards[0].split("</a>")[0]
    assert 'loading="lazy"' in cards[1]
    seller_client.post("/api/seller/store/banner", {"image": picture((1600, 400))}, format="multipart")
    html = client.get(page).content.decode()
    # With a banner, the banner is fetched first and the first card is loaded at once (not lazy).
    assert html.count('fetchpriority="high"') == 1
    first_card = html.split('data-testid="product-card"')[1].split("</a>")[0]
    assert "fetchpriority" not in first_card and "loading=" not in first_card
