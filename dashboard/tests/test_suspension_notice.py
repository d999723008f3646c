"""The suspension notice every dashboard page shows while an admin has the store suspended."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from orders.tests.factories import place
from storefront.tests.factories import add_product

pytestmark = pytest.mark.django_db

PAGES = [
    "/dashboard/",
    "/dashboard/produk/",
    "/dashboard/produk/baru/",
    "/dashboard/pesanan/",
    "/dashboard/promo/",
    "/dashboard/toko/",
    "/dashboard/pengiriman/",
    "/dashboard/integrasi/",
]
NOTICE = 'data-testid="suspension-notice"'


@pytest.fixture
def seller_web(client, seller):
    assert client.login(email=seller.email, password=PASSWORD)
    return client


@pytest.fixture
def suspended_store(seller):
    store = seller.store
    store.is_active = False
    store.suspended_at = datetime(2026, 11, 20, 3, 15, tzinfo=UTC)  # 10:15 WIB
    store.suspension_reason = "Foto produk melanggar hak cipta"
    store.save(update_fields=["is_active", "suspended_at", "suspension_reason"])
    return store


@pytest.mark.parametrize("url", PAGES)
def test_active_store_shows_no_notice(seller_web, url):
    response = seller_web.get(url)
    assert response.status_code == 200
    assert NOTICE not in response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_suspended_store_sees_notice_on_every_page(seller_web, suspended_store, url):
    response = seller_web.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count(NOTICE) == 1
    assert "Toko Anda sedang ditangguhkan." in body
    assert "disembunyikan dari pembeli" in body
    assert "Foto produk melanggar hak cipta" in body
    assert "20 November 2026, 10:15" in body  # shown in Asia/Jakarta
    assert "hubungi admin" in body


def test_order_detail_page_also_shows_notice(seller_web, seller, buyer):
    store = seller.store
    order = place(buyer=buyer, product=add_product(store, name="Keripik", with_photo=False)).order
    store.is_active = False
    store.save(update_fields=["is_active"])
    body = seller_web.get(f"/dashboard/pesanan/{order.pk}/").content.decode()
    assert NOTICE in body
    assert "Alasan:" not in body  # no reason given: no empty line for it


def test_notice_in_english(seller_web, suspended_store, settings):
    seller_web.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = seller_web.get("/dashboard/").content.decode()
    assert "Your store is suspended." in body
    assert "Toko Anda sedang ditangguhkan." not in body


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/pesanan/", "/dashboard/produk/"])
def test_notice_costs_no_extra_query(seller_web, seller, url):
    seller_web.get(url)  # warm caches (sessions, flags)
    with CaptureQueriesContext(connection) as active:
        assert seller_web.get(url).status_code == 200
    store = seller.store
    store.is_active = False
    store.suspension_reason = "Uji"
    store.save(update_fields=["is_active", "suspension_reason"])
    with CaptureQueriesContext(connection) as suspended:
        body = seller_web.get(url).content.decode()
    assert NOTICE in body
    assert len(suspended) <= len(active)
