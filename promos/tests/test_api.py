"""/api/seller/promo and /api/admin/promo: CRUD, ownership, uniqueness, rules, feature flag."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.tests.factories import make_promo
from promos.models import Promo

pytestmark = pytest.mark.django_db
SELLER = "/api/seller/promo"
ADMIN = "/api/admin/promo"


def body(**extra) -> dict:
    now = timezone.now()
    data = {
        "code": "hemat10",
        "type": "percentage",
        "value": 10,
        "min_order": 50_000,
        "max_discount": 15_000,
        "usage_limit": 100,
        "per_buyer_limit": 1,
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(days=7)).isoformat(),
    }
    data.update(extra)
    return data


def test_seller_creates_lists_updates_deletes(seller_client, seller):
    created = seller_client.post(SELLER, body(), format="json")
    assert created.status_code == 201, created.content
    promo = created.json()["data"]
    assert promo["code"] == "HEMAT10" and promo["store_id"] == str(seller.store.pk) and promo["used_count"] == 0
    listing = seller_client.get(SELLER).json()
    assert listing["meta"]["total"] == 1
    updated = seller_client.put(SELLER, {"id": promo["id"], "value": 15}, format="json")
    assert updated.status_code == 200 and updated.json()["data"]["value"] == 15
    by_path = seller_client.put(f"{SELLER}/{promo['id']}", {"is_active": False}, format="json")
    assert by_path.json()["data"]["is_active"] is False
    deleted = seller_client.delete(SELLER, {"id": promo["id"]}, format="json")
    assert deleted.json()["data"] == {"id": promo["id"]}
    assert seller_client.get(SELLER).json()["meta"]["total"] == 0
    # The code is free again after a delete.
    assert seller_client.post(SELLER, body(code="HEMAT10"), format="json").status_code == 201


def test_code_unique_per_store_case_insensitive(seller_client, other_seller_client):
    assert seller_client.post(SELLER, body(code="Ramadan"), format="json").status_code == 201
    duplicate = seller_client.post(SELLER, body(code="RAMADAN"), format="json")
    assert duplicate.status_code == 400 and "code" in duplicate.json()["meta"]["fields"]
    # Another store may use the same code.
    assert other_seller_client.post(SELLER, body(code="ramadan"), format="json").status_code == 201


def test_platform_codes_unique_among_platform_promos(admin_client_api, seller_client):
    assert admin_client_api.post(ADMIN, body(code="BLITAR"), format="json").json()["data"]["store_id"] is None
    assert admin_client_api.post(ADMIN, body(code="blitar"), format="json").status_code == 400
    assert seller_client.post(SELLER, body(code="BLITAR"), format="json").status_code == 201


@pytest.mark.parametrize(
    "change",
    [
        {"type": "percentage", "value": 150},
        {"value": 0},
        {"value": -5},
        {"type": "gratis"},
        {"code": "a"},
        {"code": "spasi tidak boleh"},
        {"ends_at": (timezone.now() - timedelta(days=1)).isoformat()},
        {"usage_limit": 0},
        {"min_order": "banyak"},
    ],
)
def test_bad_promo_is_400(seller_client, change):
    response = seller_client.post(SELLER, body(**change), format="json")
    assert response.status_code == 400
    assert not Promo.objects.exists()


def test_usage_limit_cannot_go_below_uses(seller_client, seller):
    promo = make_promo(store=seller.store, code="LARIS", usage_limit=10, used_count=5)
    response = seller_client.put(SELLER, {"id": str(promo.pk), "usage_limit": 3}, format="json")
    assert response.status_code == 400
    promo.refresh_from_db()
    assert promo.usage_limit == 10


def test_other_sellers_promo_is_404(seller_client, other_seller):
    foreign = make_promo(store=other_seller.store, code="MILIKLAIN")
    assert seller_client.put(SELLER, {"id": str(foreign.pk), "value": 50}, format="json").status_code == 404
    assert seller_client.delete(f"{SELLER}/{foreign.pk}").status_code == 404
    platform = make_promo(store=None, code="PLATFORM")
    assert seller_client.delete(f"{SELLER}/{platform.pk}").status_code == 404
    foreign.refresh_from_db()
    assert foreign.value == 10 and foreign.deleted_at is None


def test_admin_sees_only_platform_promos(admin_client_api, seller):
    make_promo(store=seller.store, code="TOKO")
    platform = make_promo(store=None, code="SEMUA")
    data = admin_client_api.get(ADMIN).json()["data"]
    assert [p["id"] for p in data] == [str(platform.pk)]


def test_roles(api_client, buyer_client, seller_client):
    assert api_client.get(SELLER).status_code == 401
    assert buyer_client.get(SELLER).status_code == 403
    assert seller_client.get(ADMIN).status_code == 403


def test_promos_feature_flag_switches_seller_routes_off(seller_client, seller):
    from stores.models import StoreFeatureFlags

    StoreFeatureFlags.objects.update_or_create(store=seller.store, defaults={"promos": False})
    response = seller_client.post(SELLER, body(), format="json")
    assert response.status_code == 403
    assert seller_client.get(SELLER).status_code == 403
    assert not Promo.objects.exists()


def test_missing_id_on_collection_put_is_400(seller_client):
    assert seller_client.put(SELLER, {"value": 5}, format="json").status_code == 400
    assert seller_client.delete(SELLER, {"id": "nope"}, format="json").status_code == 400


def test_admin_promo_api_writes_audit_rows(admin_client_api, admin_user):
    from audit.models import AuditLog

    created = admin_client_api.post(ADMIN, body(code="AUDIT1"), format="json").json()["data"]
    admin_client_api.put(ADMIN, {"id": created["id"], "value": 15}, format="json")
    admin_client_api.delete(ADMIN, {"id": created["id"]}, format="json")
    rows = list(AuditLog.objects.filter(target_id=created["id"]).order_by("id").values_list("action", "actor_id"))
    assert rows == [("promo.create", admin_user.id), ("promo.update", admin_user.id), ("promo.delete", admin_user.id)]


def test_promo_without_end_runs_until_switched_off_and_works_at_checkout(seller_client, buyer, product):
    from orders.tests.factories import place

    data = body(code="TERUS", min_order=0, per_buyer_limit=None, usage_limit=None)
    del data["ends_at"], data["starts_at"]  # start defaults to now; no end date
    created = seller_client.post(SELLER, data, format="json")
    assert created.status_code == 201, created.content
    promo = Promo.objects.get(code="TERUS")
    assert promo.ends_at is None and created.json()["data"]["ends_at"] is None
    assert abs((promo.starts_at - timezone.now()).total_seconds()) < 60
    # Years later it still applies at checkout (25.000 × 10% = 2.500 off).
    Promo.objects.filter(pk=promo.pk).update(starts_at=timezone.now() - timedelta(days=3650))
    order = place(buyer=buyer, product=product, promo_code="terus").order
    assert order.discount == 2_500
    # Turning it off ends it.
    assert seller_client.put(f"{SELLER}/{promo.pk}", {"is_active": False}, format="json").status_code == 200
    with pytest.raises(Exception, match="not active"):
        place(buyer=buyer, product=product, promo_code="terus")


def test_end_date_can_be_cleared_and_must_follow_start(seller_client):
    promo = seller_client.post(SELLER, body(code="AKHIR"), format="json").json()["data"]
    cleared = seller_client.put(f"{SELLER}/{promo['id']}", {"ends_at": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["data"]["ends_at"] is None
    before_start = (timezone.now() - timedelta(days=30)).isoformat()
    refused = seller_client.put(f"{SELLER}/{promo['id']}", {"ends_at": before_start}, format="json")
    assert refused.status_code == 400 and "ends_at" in refused.json()["meta"]["fields"]
    assert Promo.objects.get(pk=promo["id"]).ends_at is None
