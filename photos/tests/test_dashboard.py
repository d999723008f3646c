""" "Perbaiki foto" on the dashboard's product edit page (Django test client), and the
product-photos socket (through the whole ASGI application)."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from catalog.models import ProductImage
from conftest import PASSWORD, make_user
from photos.models import EnhanceJob
from photos.services import seller_enhance_start
from photos.tasks import enhance_job_run_task
from stores.models import StoreFeatureFlags


@pytest.fixture
def seller_web(client, seller):
    assert client.login(email=seller.email, password=PASSWORD)
    return client


def _edit(product) -> str:
    return f"/dashboard/produk/{product.pk}/"


def test_another_stores_product_is_a_404_with_no_message_left_behind(seller_web, product, photo, other_seller):
    other_web = Client()
    assert other_web.login(email=other_seller.email, password=PASSWORD)
    response = other_web.post(f"/dashboard/produk/{product.pk}/foto/{photo.pk}/perbaiki/")
    assert response.status_code == 404
    assert not EnhanceJob.objects.exists()
    # Nothing waits in the session to pop up on the next page.
    later = other_web.get("/dashboard/")
    assert list(later.context["messages"]) == []


def test_button_per_photo_starts_a_job_and_the_panel_shows_before_after(seller_web, product, photo):
    page = seller_web.get(_edit(product)).content.decode()
    assert page.count('data-testid="enhance-photo"') == 1 and 'id="enhance-jobs"' in page
    response = seller_web.post(f"/dashboard/produk/{product.pk}/foto/{photo.pk}/perbaiki/")
    assert response.status_code == 302 and response["Location"].endswith("#enhance-panel")
    job = EnhanceJob.objects.get()
    page = seller_web.get(_edit(product)).content.decode()
    assert 'data-status="queued"' in page and "Menunggu giliran" in page
    enhance_job_run_task.call(job_id=str(job.pk))
    panel = seller_web.get(f"/dashboard/produk/{product.pk}/perbaiki-foto/").content.decode()
    job.refresh_from_db()
    assert 'data-status="succeeded"' in panel and job.result.url in panel and photo.url in panel
    assert "Sebelum" in panel and "Sesudah" in panel

    response = seller_web.post(f"/dashboard/perbaiki-foto/{job.pk}/replace/")
    assert response.status_code == 302
    assert not ProductImage.objects.filter(pk=photo.pk).exists() and product.images.count() == 1
    page = seller_web.get(_edit(product)).content.decode()
    assert 'data-testid="enhance-job"' not in page  # decided: gone from the panel


def test_failed_job_says_so_in_indonesian_and_can_be_dismissed(seller_web, seller, product, photo):
    job = seller_enhance_start(actor=seller, product_id=product.pk, image_id=photo.pk)
    from django.core.files.storage import default_storage

    default_storage.delete(photo.image.name)  # lost from storage (disk fault, manual clean-up)
    enhance_job_run_task.call(job_id=str(job.pk))
    panel = seller_web.get(f"/dashboard/produk/{product.pk}/perbaiki-foto/").content.decode()
    assert "Foto gagal diperbaiki." in panel and "Foto asli tidak bisa dibaca." in panel
    assert "could not be read" not in panel  # no English on an Indonesian page
    seller_web.post(f"/dashboard/perbaiki-foto/{job.pk}/discard/")
    assert EnhanceJob.objects.get(pk=job.pk).decision == "discarded"


def test_switched_off_store_sees_no_button_and_cannot_post(seller_web, seller, product, photo):
    StoreFeatureFlags.objects.update_or_create(store=seller.store, defaults={"photo_enhance": False})
    assert 'data-testid="enhance-photo"' not in seller_web.get(_edit(product)).content.decode()
    seller_web.post(f"/dashboard/produk/{product.pk}/foto/{photo.pk}/perbaiki/")
    assert not EnhanceJob.objects.exists()


def test_other_sellers_cannot_touch_the_jobs(client, seller, product, photo):
    job = seller_enhance_start(actor=seller, product_id=product.pk, image_id=photo.pk)
    other = make_user("seller")
    assert client.login(email=other.email, password=PASSWORD)
    assert client.get(f"/dashboard/produk/{product.pk}/perbaiki-foto/").status_code == 404
    assert client.post(f"/dashboard/perbaiki-foto/{job.pk}/discard/").status_code == 404
    assert client.post(f"/dashboard/produk/{product.pk}/foto/{photo.pk}/perbaiki/").status_code in (302, 404)
    assert EnhanceJob.objects.count() == 1


def test_panel_queries_stay_flat(seller_web, seller, product, photo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from photos.tests.conftest import add_photo

    url = f"/dashboard/produk/{product.pk}/perbaiki-foto/"
    seller_enhance_start(actor=seller, product_id=product.pk, image_id=photo.pk)
    with CaptureQueriesContext(connection) as one:
        assert seller_web.get(url).status_code == 200
    for _ in range(3):
        seller_enhance_start(actor=seller, product_id=product.pk, image_id=add_photo(seller, product).pk)
    with CaptureQueriesContext(connection) as four:
        assert seller_web.get(url).content.decode().count('data-testid="enhance-job"') == 4
    assert len(four) == len(one)


def test_english_page(seller_web, product, photo):
    seller_web.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = seller_web.get(_edit(product)).content.decode()
    assert "Enhance photo" in page


# --- the socket ---------------------------------------------------------------------------


@pytest.fixture
def fresh_layer():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def _socket(path: str, client: Client) -> WebsocketCommunicator:
    from tokoblitar.asgi import application

    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return WebsocketCommunicator(
        application, path, headers=[(b"origin", b"http://localhost"), (b"cookie", cookie.encode())]
    )


@pytest.mark.django_db(transaction=True)
def test_seller_socket_receives_progress_and_others_are_refused(fresh_layer, seller, product, photo):
    async_to_sync(_socket_flow)(seller, product, photo)


async def _socket_flow(seller, product, photo) -> None:
    client = Client()
    await sync_to_async(client.force_login)(seller)
    ws = _socket(f"/ws/photos/products/{product.pk}/", client)
    connected, _ = await ws.connect(timeout=10)
    assert connected
    job = await sync_to_async(seller_enhance_start)(actor=seller, product_id=product.pk, image_id=photo.pk)
    first = await ws.receive_json_from(timeout=30)
    assert first["job_id"] == str(job.pk) and first["status"] == "queued"
    await sync_to_async(enhance_job_run_task.call)(job_id=str(job.pk))
    statuses = []
    while not statuses or statuses[-1] != "succeeded":
        statuses.append((await ws.receive_json_from(timeout=30))["status"])
    assert statuses[0] == "running" and statuses[-1] == "succeeded"
    await ws.disconnect()

    other = await sync_to_async(make_user)("seller")
    other_client = Client()
    await sync_to_async(other_client.force_login)(other)
    refused = _socket(f"/ws/photos/products/{product.pk}/", other_client)
    connected, code = await refused.connect(timeout=10)
    assert not connected and code == 4403
    layer = channel_layers[DEFAULT_CHANNEL_LAYER]
    if hasattr(layer, "close"):
        await layer.close()


def test_admin_lists_jobs_read_only(client, admin_user, seller, product, photo):
    seller_enhance_start(actor=seller, product_id=product.pk, image_id=photo.pk)
    client.force_login(admin_user)
    page = client.get("/django-admin/photos/enhancejob/")
    assert page.status_code == 200 and "Sambal Pecel Bu Sri" in page.content.decode()
    assert client.get("/django-admin/photos/enhancejob/add/").status_code == 403
