"""Admin panel pages: access per role, actions through the audited services, homepage effects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditLog
from conftest import make_user
from curation.models import Banner
from curation.tests.factories import curation_user, quick_order, quick_product, quick_store
from orders.models import Order
from promos.models import Promo
from stores.models import StoreFeatureFlags

pytestmark = pytest.mark.django_db

PAGES = ["/admin-panel/", "/admin-panel/stores/", "/admin-panel/products/", "/admin-panel/banners/",
         "/admin-panel/promos/", "/admin-panel/audit/"]  # fmt: skip


@pytest.fixture
def admin_web(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("url", PAGES)
def test_pages_need_an_admin(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    for role in ("buyer", "seller"):
        client.force_login(make_user(role))
        assert client.get(url).status_code == 403


def test_actions_refuse_non_admins(client):
    store = quick_store()
    client.force_login(make_user("seller"))
    assert client.post(f"/admin-panel/stores/{store.pk}/feature/").status_code == 403
    client.logout()
    assert client.post(f"/admin-panel/stores/{store.pk}/suspend/").status_code == 302
    store.refresh_from_db()
    assert store.featured is False and store.is_active is True and not AuditLog.objects.exists()


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_for_admin(admin_web, url):
    store = quick_store()
    quick_product(store=store)
    Banner.objects.create(title="Festival", image_url="https://x.id/a.jpg")
    response = admin_web.get(url)
    assert response.status_code == 200
    assert b'aria-current="page"' in response.content


def test_overview_shows_metrics_and_chart(admin_web):
    store = quick_store()
    product = quick_product(store=store, price=20_000)
    quick_order(buyer=curation_user(), store=store, lines=[(product, 2)], status=Order.Status.PAID)
    response = admin_web.get("/admin-panel/", {"days": 7})
    assert response.status_code == 200
    assert response.context["m"]["gmv"] == 50_000
    assert b'data-testid="gmv-chart"' in response.content and response.content.count(b"<rect") == 7
    assert "Rp\xa050.000" in response.content.decode()
    # A bad range falls back to 30 days instead of failing.
    assert admin_web.get("/admin-panel/", {"days": "999"}).context["days"] == 30


def test_store_feature_suspend_restore_from_the_page(admin_web, client):
    store = quick_store(name="Kopi Mbah Sastro", slug="kopi-mbah-sastro")
    response = admin_web.post(f"/admin-panel/stores/{store.pk}/feature/", {"next": "/admin-panel/stores/?q=kopi"})
    assert response.status_code == 302 and response["Location"] == "/admin-panel/stores/?q=kopi"
    store.refresh_from_db()
    assert store.featured is True

    response = admin_web.post(
        f"/admin-panel/stores/{store.pk}/suspend/", {"reason": "Barang palsu", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin-panel/stores/"
    store.refresh_from_db()
    assert store.is_active is False and store.suspension_reason == "Barang palsu"
    # Second suspension: a message, not an error page.
    response = admin_web.post(f"/admin-panel/stores/{store.pk}/suspend/", follow=True)
    assert response.status_code == 200 and f"Toko {store.name} sudah ditangguhkan" in response.content.decode()

    admin_web.post(f"/admin-panel/stores/{store.pk}/restore/")
    store.refresh_from_db()
    assert store.is_active is True
    assert admin_web.post(f"/admin-panel/stores/{store.pk}/explode/").status_code == 404
    assert list(AuditLog.objects.order_by("id").values_list("action", flat=True)) == [
        "store.feature",
        "store.suspend",
        "store.restore",
    ]


def test_store_list_page_query_count_is_flat(admin_web, django_assert_max_num_queries):
    for _ in range(3):
        quick_store()
    with django_assert_max_num_queries(8):
        admin_web.get("/admin-panel/stores/")
    for _ in range(20):
        quick_product(store=quick_store())
    with django_assert_max_num_queries(8):
        response = admin_web.get("/admin-panel/stores/")
    assert response.content.count(b'data-testid="admin-store"') == 23


def test_suspended_store_disappears_from_pages(admin_web, client):
    store = quick_store(name="Toko Nakal", slug="toko-nakal", featured=True)
    quick_product(store=store, name="Barang Nakal", featured=True)
    assert client.get("/store/toko-nakal/").status_code == 200
    assert "Toko Nakal" in client.get("/").content.decode()
    admin_web.post(f"/admin-panel/stores/{store.pk}/suspend/", {"reason": "Penipuan"})
    client.logout()
    assert client.get("/store/toko-nakal/").status_code == 404
    home = client.get("/").content.decode()
    assert "Toko Nakal" not in home and "Barang Nakal" not in home
    assert "Barang Nakal" not in client.get("/cari/", {"q": "barang nakal"}).content.decode()


def test_products_page_feature_and_delete(admin_web):
    product = quick_product(store=quick_store(), name="Sambal Pecel")
    admin_web.post(f"/admin-panel/products/{product.pk}/feature/")
    product.refresh_from_db()
    assert product.featured is True
    listed = admin_web.get("/admin-panel/products/", {"featured": "on"})
    assert [p.pk for p in listed.context["page"].items] == [product.pk]
    admin_web.post(f"/admin-panel/products/{product.pk}/delete/")
    product.refresh_from_db()
    assert product.deleted_at is not None
    assert admin_web.post(f"/admin-panel/products/{product.pk}/feature/").status_code == 404


def test_banner_pages_create_edit_delete(admin_web, client):
    base = {"title": "Festival Kopi", "image_url": "https://cdn.contoh.id/k.jpg", "position": 1, "is_active": "on"}
    response = admin_web.post("/admin-panel/banners/", {**base, "link": "javascript:alert(1)"})
    assert response.status_code == 400 and response.context["form"].errors["link"]
    response = admin_web.post(
        "/admin-panel/banners/", {**base, "starts_at": "2026-12-02T10:00", "ends_at": "2026-12-01T10:00"}
    )
    assert response.status_code == 400 and "ends_at" in response.context["form"].errors
    assert not Banner.objects.exists()

    response = admin_web.post("/admin-panel/banners/", {**base, "link": "/cari/?q=kopi"})
    assert response.status_code == 302
    banner = Banner.objects.get()
    assert "Festival Kopi" in client.get("/").content.decode()

    response = admin_web.post(f"/admin-panel/banners/{banner.pk}/", {**base, "title": "Festival Kopi 2026"})
    assert response.status_code == 302
    banner.refresh_from_db()
    assert banner.title == "Festival Kopi 2026"
    admin_web.post(f"/admin-panel/banners/{banner.pk}/delete/")
    assert not Banner.objects.exists()
    assert list(AuditLog.objects.order_by("id").values_list("action", flat=True)) == [
        "banner.create",
        "banner.update",
        "banner.delete",
    ]


def test_flags_page(admin_web):
    store = quick_store()
    response = admin_web.get(f"/admin-panel/stores/{store.pk}/flags/")
    assert response.context["form"].initial["promos"] is True
    admin_web.post(f"/admin-panel/stores/{store.pk}/flags/", {"ai_assistant": "on", "instagram": "on"})
    flags = StoreFeatureFlags.objects.get(store=store)
    assert (flags.ai_assistant, flags.instagram, flags.promos, flags.photo_enhance) == (True, True, False, False)
    assert AuditLog.objects.get().action == "store.flags"


def test_platform_promo_pages(admin_web):
    now = timezone.localtime()
    body = {
        "code": "merdeka17",
        "type": "percentage",
        "value": 17,
        "min_order": 0,
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
    }
    assert admin_web.post("/admin-panel/promos/", {**body, "value": 170}).status_code == 400  # > 100%
    assert not Promo.objects.exists()
    assert admin_web.post("/admin-panel/promos/", body).status_code == 302
    promo = Promo.objects.get()
    assert promo.store is None and promo.code == "MERDEKA17"
    admin_web.post(f"/admin-panel/promos/{promo.pk}/deactivate/")
    promo.refresh_from_db()
    assert promo.is_active is False
    admin_web.post(f"/admin-panel/promos/{promo.pk}/delete/")
    assert not Promo.objects.alive().exists()
    assert list(AuditLog.objects.order_by("id").values_list("action", flat=True)) == [
        "promo.create",
        "promo.update",
        "promo.delete",
    ]
    assert b"promo.delete" in admin_web.get("/admin-panel/audit/").content


def _log(action: str, target_type: str = "stores.store", repr_: str = "Toko Sari") -> AuditLog:
    return AuditLog.objects.create(action=action, target_type=target_type, target_id="1", target_repr=repr_)


def test_audit_page_shows_readable_actions_and_filter_lists(admin_web):
    _log("store.feature")
    _log("banner.create", "curation.banner", "Banner Lebaran")
    _log("promo.update", "promos.promo", "HEMAT10")
    _log("store.admin_change")
    page = admin_web.get("/admin-panel/audit/").content.decode()
    for label in (
        "Toko ditampilkan di beranda",
        "Banner dibuat",
        "Promo platform diubah",
        "Diubah lewat Django admin: toko",
    ):
        assert label in page
    # The filter lists hold the actions and target types present, with readable names.
    assert '<option value="banner.create">Banner dibuat</option>' in page
    assert '<option value="promos.promo">' in page
    assert "Hapus filter" not in page
    filtered = admin_web.get("/admin-panel/audit/", {"action": "banner.create"}).content.decode()
    assert filtered.count('data-testid="audit-entry"') == 1 and "Banner Lebaran" in filtered
    assert '<option value="banner.create" selected>' in filtered and "Hapus filter" in filtered
    by_type = admin_web.get("/admin-panel/audit/", {"target_type": "stores.store"}).content.decode()
    assert by_type.count('data-testid="audit-entry"') == 2


def test_audit_labels_in_english():
    from django.utils import translation

    from curation.audit_labels import audit_action_label

    with translation.override("en"):
        assert audit_action_label("store.flags") == "Store features changed"
        assert audit_action_label("promo.update") == "Platform promo updated"
    assert audit_action_label("unknown.thing") == "unknown.thing"


def test_audit_page_query_count_is_flat(admin_web):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for action in ("store.feature", "banner.create", "promo.update"):
        _log(action)
    with CaptureQueriesContext(connection) as few:
        admin_web.get("/admin-panel/audit/")
    for i in range(30):
        _log(("store.flags", "product.delete", "product.admin_change")[i % 3], "catalog.product", f"Produk {i}")
    with CaptureQueriesContext(connection) as many:
        response = admin_web.get("/admin-panel/audit/")
    assert response.content.count(b'data-testid="audit-entry"') == 33
    assert len(many) == len(few)


def test_flags_page_labels_each_switch_with_a_line(admin_web):
    store = quick_store()
    page = admin_web.get(f"/admin-panel/stores/{store.pk}/flags/").content.decode()
    assert page.count('data-testid="flag-row"') == 6
    assert "Asisten AI" in page and "Penjual bisa membuat kode promo untuk tokonya." in page
