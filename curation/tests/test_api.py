"""Admin API contract: permissions per role, validation, effects, audit rows, query counts."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditLog
from catalog.models import Product
from conftest import client_for, make_user
from curation.models import Banner
from curation.tests.factories import curation_user, quick_product, quick_store
from stores.models import Store, StoreFeatureFlags

pytestmark = pytest.mark.django_db

ANY_ID = "00000000-0000-4000-8000-000000000000"

# (method, path, body) for every admin route of this app.
ROUTES = [
    ("get", "/api/admin/dashboard", None),
    ("get", "/api/admin/stores", None),
    ("get", f"/api/admin/stores/{ANY_ID}", None),
    ("put", f"/api/admin/stores/{ANY_ID}/feature", {"featured": True}),
    ("delete", f"/api/admin/stores/{ANY_ID}", None),
    ("post", f"/api/admin/stores/{ANY_ID}/restore", None),
    ("get", "/api/admin/products", None),
    ("put", f"/api/admin/products/{ANY_ID}/feature", {"featured": True}),
    ("delete", f"/api/admin/products/{ANY_ID}", None),
    ("get", "/api/admin/banners", None),
    ("post", "/api/admin/banners", {"title": "x", "image_url": "https://contoh.id/a.jpg"}),
    ("put", "/api/admin/banners", {"id": ANY_ID, "title": "y"}),
    ("delete", "/api/admin/banners", {"id": ANY_ID}),
    ("get", f"/api/admin/feature-flags/{ANY_ID}", None),
    ("put", f"/api/admin/feature-flags/{ANY_ID}", {"promos": False}),
]


def _call(client, method: str, path: str, body):
    return getattr(client, method)(path, body, format="json") if body is not None else getattr(client, method)(path)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_every_admin_route_refuses_non_admins(method, path, body, api_client, buyer_client, seller_client):
    response = _call(api_client, method, path, body)
    assert response.status_code == 401
    assert response.json()["data"] is None and response.json()["error"]
    for client in (buyer_client, seller_client):
        response = _call(client, method, path, body)
        assert response.status_code == 403, (method, path)
        assert response.json()["error"] == "Only admins can do this"
    assert AuditLog.objects.count() == 0
    assert Banner.objects.count() == 0


@pytest.mark.parametrize(("method", "path", "body"), [r for r in ROUTES if ANY_ID in r[1] or r[2] and "id" in r[2]])
def test_unknown_ids_are_404_for_admins(method, path, body, admin_client_api):
    response = _call(admin_client_api, method, path, body)
    assert response.status_code == 404, (method, path, response.json())
    assert response.json()["error"].endswith("not found")
    assert AuditLog.objects.count() == 0


def test_admin_session_login_works_with_csrf(admin_user, client):
    """Cookie-authenticated writes need the CSRF token (SPEC §13)."""
    from rest_framework.test import APIClient

    store = quick_store()
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(admin_user)
    response = session.put(f"/api/admin/stores/{store.pk}/feature", {"featured": True}, format="json")
    assert response.status_code == 403
    store.refresh_from_db()
    assert store.featured is False


# --- Stores ------------------------------------------------------------------------------


def test_store_list_search_filter_and_paging(admin_client_api):
    kopi = quick_store(name="Kopi Mbah Sastro", slug="kopi-mbah-sastro")
    quick_store(name="Batik Tulis Kendalisodo", slug="batik-kendalisodo", featured=True)
    gone = quick_store(name="Toko Nakal", slug="toko-nakal", is_active=False)
    owner = curation_user("seller", email="pemilik.unik@contoh.id")
    quick_store(name="Sambel Pecel Bu Rum", slug="pecel-bu-rum", owner=owner)
    quick_product(store=kopi)
    quick_product(store=kopi, deleted_at=timezone.now())

    response = admin_client_api.get("/api/admin/stores", {"limit": 2, "page": 1})
    body = response.json()
    assert response.status_code == 200
    assert body["meta"] == {"page": 1, "limit": 2, "total": 4}
    assert len(body["data"]) == 2

    def names(**params):
        return {row["name"] for row in admin_client_api.get("/api/admin/stores", params).json()["data"]}

    assert names(search="kopi") == {"Kopi Mbah Sastro"}
    assert names(search="KENDALISODO") == {"Batik Tulis Kendalisodo"}
    assert names(search="pemilik.unik") == {"Sambel Pecel Bu Rum"}
    assert names(status="featured") == {"Batik Tulis Kendalisodo"}
    assert names(status="suspended") == {"Toko Nakal"}
    assert "Toko Nakal" not in names(status="active") and len(names(status="active")) == 3

    row = next(r for r in admin_client_api.get("/api/admin/stores", {"search": "kopi"}).json()["data"])
    assert row["product_count"] == 1  # the deleted product does not count
    assert row["owner"]["email"] == kopi.owner.email
    assert gone.is_active is False


@pytest.mark.parametrize("params", [{"status": "deleted"}, {"limit": 0}, {"limit": 101}, {"page": "x"}])
def test_store_list_bad_params_are_400(admin_client_api, params):
    response = admin_client_api.get("/api/admin/stores", params)
    assert response.status_code == 400
    assert response.json()["meta"]["fields"]


def test_store_list_query_count_is_flat(admin_client_api, django_assert_max_num_queries):
    for _ in range(3):
        quick_product(store=quick_store())
    # auth token lookup + count + page
    with django_assert_max_num_queries(4):
        assert admin_client_api.get("/api/admin/stores").status_code == 200
    for _ in range(15):
        quick_product(store=quick_store())
    with django_assert_max_num_queries(4):
        response = admin_client_api.get("/api/admin/stores")
    assert len(response.json()["data"]) == 18


def test_feature_store_writes_audit_with_ip(admin_client_api, admin_user):
    store = quick_store()
    response = admin_client_api.put(
        f"/api/admin/stores/{store.pk}/feature", {"featured": True}, format="json", REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 200
    assert response.json()["data"]["featured"] is True
    store.refresh_from_db()
    assert store.featured is True
    entry = AuditLog.objects.get()
    assert entry.actor == admin_user and entry.actor_email == admin_user.email
    assert entry.action == "store.feature"
    assert (entry.target_type, entry.target_id) == ("stores.store", str(store.pk))
    assert entry.before["featured"] is False and entry.after["featured"] is True
    assert entry.ip == "10.9.8.7"

    response = admin_client_api.put(f"/api/admin/stores/{store.pk}/feature", {"featured": False}, format="json")
    assert response.json()["data"]["featured"] is False
    assert list(AuditLog.objects.values_list("action", flat=True)) == ["store.unfeature", "store.feature"]


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, None, "", [], {"a": 1}])
def test_feature_store_requires_a_real_boolean(admin_client_api, value):
    store = quick_store()
    response = admin_client_api.put(f"/api/admin/stores/{store.pk}/feature", {"featured": value}, format="json")
    assert response.status_code == 400
    assert "featured" in response.json()["meta"]["fields"]
    store.refresh_from_db()
    assert store.featured is False
    assert AuditLog.objects.count() == 0


def test_feature_store_missing_field_and_malformed_json(admin_client_api):
    store = quick_store()
    assert admin_client_api.put(f"/api/admin/stores/{store.pk}/feature", {}, format="json").status_code == 400
    response = admin_client_api.put(
        f"/api/admin/stores/{store.pk}/feature", data="{featured: tru", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("Malformed request body")


def test_suspend_hides_store_from_search_and_restore_brings_it_back(admin_client_api, api_client):
    store = quick_store(name="Keripik Tempe Bu Sri", slug="keripik-bu-sri")
    product = quick_product(store=store, name="Keripik Tempe Pedas")

    def public_ids():
        response = api_client.get("/api/buyer/products", {"store": store.slug})
        assert response.status_code == 200
        return [row["id"] for row in response.json()["data"]]

    assert public_ids() == [str(product.pk)]

    response = admin_client_api.delete(
        f"/api/admin/stores/{store.pk}", {"reason": "Menjual barang palsu"}, format="json"
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["is_active"] is False and data["suspension_reason"] == "Menjual barang palsu"
    assert data["suspended_at"]
    assert public_ids() == []
    assert api_client.get("/api/buyer/products", {"search": "keripik tempe"}).json()["meta"]["total"] == 0

    # A second suspension is a conflict and writes nothing more.
    assert admin_client_api.delete(f"/api/admin/stores/{store.pk}").status_code == 409

    response = admin_client_api.post(f"/api/admin/stores/{store.pk}/restore")
    assert response.status_code == 200
    assert response.json()["data"]["is_active"] is True
    store.refresh_from_db()
    assert (store.suspended_at, store.suspension_reason) == (None, "")
    assert public_ids() == [str(product.pk)]
    assert admin_client_api.post(f"/api/admin/stores/{store.pk}/restore").status_code == 409

    actions = list(AuditLog.objects.order_by("at", "id").values_list("action", "before__is_active", "after__is_active"))
    assert actions == [("store.suspend", True, False), ("store.restore", False, True)]


def test_suspend_reason_too_long_is_400(admin_client_api):
    store = quick_store()
    response = admin_client_api.delete(f"/api/admin/stores/{store.pk}", {"reason": "x" * 301}, format="json")
    assert response.status_code == 400
    store.refresh_from_db()
    assert store.is_active is True


# --- Products ----------------------------------------------------------------------------


def test_feature_and_delete_product(admin_client_api, api_client):
    product = quick_product(store=quick_store())
    response = admin_client_api.put(f"/api/admin/products/{product.pk}/feature", {"featured": True}, format="json")
    assert response.status_code == 200 and response.json()["data"]["featured"] is True
    assert (
        admin_client_api.put(
            f"/api/admin/products/{product.pk}/feature", {"featured": "true"}, format="json"
        ).status_code
        == 400
    )

    listed = admin_client_api.get("/api/admin/products", {"featured": "true"}).json()
    assert [row["id"] for row in listed["data"]] == [str(product.pk)]

    response = admin_client_api.delete(f"/api/admin/products/{product.pk}")
    assert response.status_code == 200 and response.json()["data"] == {"id": str(product.pk)}
    product.refresh_from_db()
    assert product.deleted_at is not None
    assert api_client.get("/api/buyer/products").json()["meta"]["total"] == 0
    # Deleted products are gone for admins too.
    assert admin_client_api.delete(f"/api/admin/products/{product.pk}").status_code == 404
    assert admin_client_api.get("/api/admin/products").json()["meta"]["total"] == 0
    assert list(AuditLog.objects.order_by("id").values_list("action", flat=True)) == [
        "product.feature",
        "product.delete",
    ]


def test_product_list_query_count_is_flat(admin_client_api, django_assert_max_num_queries):
    store = quick_store()
    for _ in range(3):
        quick_product(store=store)
    with django_assert_max_num_queries(4):
        admin_client_api.get("/api/admin/products")
    for _ in range(12):
        quick_product(store=quick_store())
    with django_assert_max_num_queries(4):
        assert len(admin_client_api.get("/api/admin/products").json()["data"]) == 15


# --- Banners -----------------------------------------------------------------------------


def test_banner_crud_with_id_in_body_or_path(admin_client_api):
    response = admin_client_api.post(
        "/api/admin/banners",
        {"title": "Festival Kopi Blitar", "image_url": "https://cdn.contoh.id/kopi.jpg", "link": "/cari?q=kopi"},
        format="json",
    )
    assert response.status_code == 201
    banner = response.json()["data"]
    assert banner["image"] == "https://cdn.contoh.id/kopi.jpg" and banner["position"] == 0

    response = admin_client_api.put("/api/admin/banners", {"id": banner["id"], "position": 3}, format="json")
    assert response.status_code == 200 and response.json()["data"]["position"] == 3
    response = admin_client_api.put(f"/api/admin/banners/{banner['id']}", {"title": "Festival Kopi"}, format="json")
    assert response.json()["data"]["title"] == "Festival Kopi"
    assert admin_client_api.get(f"/api/admin/banners/{banner['id']}").json()["data"]["position"] == 3

    listed = admin_client_api.get("/api/admin/banners").json()
    assert listed["meta"]["total"] == 1

    assert admin_client_api.delete("/api/admin/banners", {"id": banner["id"]}, format="json").status_code == 200
    assert Banner.objects.count() == 0
    assert admin_client_api.delete(f"/api/admin/banners/{banner['id']}").status_code == 404

    actions = list(AuditLog.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["banner.create", "banner.update", "banner.update", "banner.delete"]
    last = AuditLog.objects.order_by("id").last()
    assert last.before["title"] == "Festival Kopi" and last.after is None


def test_banner_upload_image(admin_client_api, tmp_path, settings):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), "orange").save(buf, "PNG")
    upload = SimpleUploadedFile("banner.png", buf.getvalue(), content_type="image/png")
    response = admin_client_api.post("/api/admin/banners", {"title": "Unggah", "image": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["data"]["image"].startswith("/media/banners/")

    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = admin_client_api.post("/api/admin/banners", {"title": "Rusak", "image": bad}, format="multipart")
    assert response.status_code == 400
    assert Banner.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "A"}, "image"),
        ({"title": "A", "image_url": "ftp://x/y.jpg"}, "image_url"),
        ({"title": "A", "image_url": "https://x.id/a.jpg", "link": "javascript:alert(1)"}, "link"),
        ({"title": "A", "image_url": "https://x.id/a.jpg", "link": "//evil.example/x"}, "link"),
        ({"title": "A", "image_url": "https://x.id/a.jpg", "position": -1}, "position"),
        ({"title": "A", "image_url": "https://x.id/a.jpg", "position": "satu"}, "position"),
        (
            {
                "title": "A",
                "image_url": "https://x.id/a.jpg",
                "starts_at": "2026-12-01T00:00:00+07:00",
                "ends_at": "2026-11-30T00:00:00+07:00",
            },
            "ends_at",
        ),
        ({"image_url": "https://x.id/a.jpg"}, "title"),
        ({"title": "   ", "image_url": "https://x.id/a.jpg"}, "title"),
    ],
)
def test_banner_bad_input_is_400_and_writes_nothing(admin_client_api, body, field):
    response = admin_client_api.post("/api/admin/banners", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["meta"]["fields"]
    assert Banner.objects.count() == 0 and AuditLog.objects.count() == 0


def test_banner_update_window_checked_against_stored_start(admin_client_api):
    start = timezone.now()
    banner = Banner.objects.create(title="A", image_url="https://x.id/a.jpg", starts_at=start)
    response = admin_client_api.put(
        f"/api/admin/banners/{banner.pk}", {"ends_at": (start - timedelta(hours=1)).isoformat()}, format="json"
    )
    assert response.status_code == 400 and "ends_at" in response.json()["meta"]["fields"]
    banner.refresh_from_db()
    assert banner.ends_at is None
    assert admin_client_api.put("/api/admin/banners", {"title": "no id"}, format="json").status_code == 400
    assert admin_client_api.put("/api/admin/banners", {"id": "abc"}, format="json").status_code == 400


def test_active_banners_selector_orders_and_windows():
    from curation.selectors import active_banners

    now = timezone.now()
    img = "https://x.id/a.jpg"
    second = Banner.objects.create(title="Kedua", image_url=img, position=2)
    first = Banner.objects.create(title="Pertama", image_url=img, position=1, starts_at=now - timedelta(days=1))
    Banner.objects.create(title="Mati", image_url=img, position=0, is_active=False)
    Banner.objects.create(title="Nanti", image_url=img, position=0, starts_at=now + timedelta(hours=1))
    Banner.objects.create(title="Lewat", image_url=img, position=0, ends_at=now - timedelta(seconds=1))
    assert active_banners() == [first, second]


# --- Feature flags -----------------------------------------------------------------------


def test_feature_flags_get_defaults_and_put(admin_client_api):
    store = quick_store()
    response = admin_client_api.get(f"/api/admin/feature-flags/{store.pk}")
    assert response.status_code == 200
    flags = response.json()["data"]["flags"]
    assert flags == {
        "ai_assistant": True,
        "marketplace_sync": False,
        "instagram": False,
        "photo_enhance": True,
        "whatsapp_inbox": False,
        "promos": True,
    }
    response = admin_client_api.put(
        f"/api/admin/feature-flags/{store.pk}", {"promos": False, "instagram": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["data"]["flags"] == {**flags, "promos": False, "instagram": True}
    row = StoreFeatureFlags.objects.get(store=store)
    assert (row.promos, row.instagram, row.ai_assistant) == (False, True, True)
    entry = AuditLog.objects.get()
    assert entry.action == "store.flags" and entry.before["promos"] is True and entry.after["promos"] is False

    # A suspended store's flags stay manageable.
    Store.objects.filter(pk=store.pk).update(is_active=False)
    assert admin_client_api.get(f"/api/admin/feature-flags/{store.pk}").json()["data"]["flags"]["promos"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"teleport": True}, "teleport"),
        ({"promos": False, "Promos": True}, "Promos"),
        ({"promos": "false"}, "promos"),
        ({"ai_assistant": 0}, "ai_assistant"),
        ({"ai_assistant": None}, "ai_assistant"),
        ({}, "non_field_errors"),
        ([True], "non_field_errors"),
    ],
)
def test_feature_flags_bad_input(admin_client_api, body, field):
    store = quick_store()
    response = admin_client_api.put(f"/api/admin/feature-flags/{store.pk}", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["meta"]["fields"]
    assert not StoreFeatureFlags.objects.exists() and not AuditLog.objects.exists()


def test_feature_flags_form_encoded_is_refused(admin_client_api):
    store = quick_store()
    response = admin_client_api.put(
        f"/api/admin/feature-flags/{store.pk}", "promos=false", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert not StoreFeatureFlags.objects.exists()


def test_switched_off_promos_answer_403_for_the_seller(admin_client_api, seller):
    seller_client = client_for(seller)
    assert seller_client.get("/api/seller/promo").status_code == 200
    admin_client_api.put(f"/api/admin/feature-flags/{seller.store.pk}", {"promos": False}, format="json")
    response = seller_client.get("/api/seller/promo")
    assert response.status_code == 403
    assert "promos" in response.json()["error"] and seller.store.name in response.json()["error"]


def test_platform_promo_route_is_admin_only(admin_client_api, seller_client, buyer_client, api_client):
    body = {
        "code": "MERDEKA17",
        "type": "percentage",
        "value": 17,
        "starts_at": timezone.now().isoformat(),
        "ends_at": (timezone.now() + timedelta(days=7)).isoformat(),
    }
    assert api_client.post("/api/admin/promo", body, format="json").status_code == 401
    assert seller_client.post("/api/admin/promo", body, format="json").status_code == 403
    assert buyer_client.post("/api/admin/promo", body, format="json").status_code == 403
    response = admin_client_api.post("/api/admin/promo", body, format="json")
    assert response.status_code == 201
    assert response.json()["data"]["store_id"] is None
    assert admin_client_api.get("/api/admin/promo").json()["meta"]["total"] == 1


def test_uuid_ids_of_other_kinds_do_not_cross(admin_client_api):
    """A product id is not a store id: 404, never a change to something else."""
    product = quick_product(store=quick_store())
    assert admin_client_api.delete(f"/api/admin/stores/{product.pk}").status_code == 404
    assert Product.objects.alive().count() == 1
    assert admin_client_api.get(f"/api/admin/feature-flags/{uuid.uuid4()}").status_code == 404


def test_make_user_seller_has_store():
    seller = make_user("seller")
    assert Store.objects.filter(owner=seller).exists()
