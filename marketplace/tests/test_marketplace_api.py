"""The seed's routes: /api/seller/marketplace/connect|sync|status and disconnect."""

from __future__ import annotations

import pytest

from conftest import client_for
from marketplace.models import MarketplaceConnection, MarketplaceListing
from marketplace.services import get_channel
from marketplace.tests.helpers import connect_shopee, product_with_image, seller_with_flag

pytestmark = pytest.mark.django_db


def test_connect_sync_status_disconnect_round_trip():
    seller = seller_with_flag()
    product = product_with_image(seller.store, stock=4)
    api = client_for(seller)
    consent = get_channel("shopee").simulate_consent(shop_name="Sambal Bu Sri")
    response = api.post(
        "/api/seller/marketplace/connect",
        {"platform": "shopee", "code": consent["code"], "shop_id": consent["shop_id"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["data"]["status"] == "connected" and body["error"] is None and "meta" in body

    response = api.post("/api/seller/marketplace/sync", {"platform": "shopee", "product_ids": []}, format="json")
    assert response.status_code == 200
    assert response.json()["data"] == {"synced": 1, "failed": 0, "queued": 0}

    status = api.get("/api/seller/marketplace/status").json()["data"]
    shopee = next(c for c in status["connections"] if c["platform"] == "shopee")
    assert shopee["state"] == "connected" and shopee["shop_name"] == "Sambal Bu Sri" and shopee["last_sync_at"]
    assert next(c for c in status["connections"] if c["platform"] == "lazada")["state"] == "not_connected"
    [listed] = status["products"]
    assert listed["product_id"] == str(product.pk) and listed["status"] == "live" and listed["pushed_stock"] == 4

    assert api.delete("/api/seller/marketplace/shopee").json()["data"]["status"] == "disconnected"
    assert MarketplaceConnection.objects.get().status == "disconnected"


@pytest.mark.parametrize(
    "body",
    [
        {"platform": "ebay", "code": "x"},
        {"platform": "shopee"},
        {"platform": "shopee", "code": ""},
        {"code": "x"},
    ],
)
def test_connect_bad_input_is_400_and_nothing_changes(body):
    seller = seller_with_flag()
    response = client_for(seller).post("/api/seller/marketplace/connect", body, format="json")
    assert response.status_code == 400 and response.json()["error"]
    assert not MarketplaceConnection.objects.exists()


def test_connect_refused_code_is_400():
    seller = seller_with_flag()
    response = client_for(seller).post(
        "/api/seller/marketplace/connect", {"platform": "shopee", "code": "palsu", "shop_id": "123"}, format="json"
    )
    assert response.status_code == 400 and response.json()["meta"]["code"] == "invalid_code"
    assert not MarketplaceConnection.objects.exists()


@pytest.mark.parametrize(
    "body", [{"platform": "shopee", "product_ids": ["not-a-uuid"]}, {"platform": "x", "product_ids": []}, {}]
)
def test_sync_bad_input_is_400(body):
    seller = seller_with_flag()
    connect_shopee(seller)
    response = client_for(seller).post("/api/seller/marketplace/sync", body, format="json")
    assert response.status_code == 400
    assert not MarketplaceListing.objects.exists()


def test_sync_other_stores_product_refused():
    seller, other = seller_with_flag(), seller_with_flag()
    theirs = product_with_image(other.store)
    connect_shopee(seller)
    response = client_for(seller).post(
        "/api/seller/marketplace/sync", {"platform": "shopee", "product_ids": [str(theirs.pk)]}, format="json"
    )
    assert response.status_code == 404
    assert not MarketplaceListing.objects.exists()


def test_not_connected_is_409_and_flag_off_is_403(buyer_client):
    seller = seller_with_flag()
    response = client_for(seller).post("/api/seller/marketplace/sync", {"platform": "lazada"}, format="json")
    assert response.status_code == 409
    off = seller_with_flag(enabled=False)
    assert client_for(off).get("/api/seller/marketplace/status").status_code == 403
    assert buyer_client.get("/api/seller/marketplace/status").status_code == 403
