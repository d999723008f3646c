import pytest

from catalog.models import Product
from catalog.search import product_search
from catalog.tests.factories import catalog_product

URL = "/api/seller/store"


@pytest.mark.django_db
def test_get_own_store(seller_client, seller):
    res = seller_client.get(URL)
    assert res.status_code == 200
    data = res.json()["data"]
    assert data["id"] == str(seller.store.id)
    for key in (
        "slug",
        "name",
        "description",
        "logo_url",
        "banner_url",
        "address",
        "lat",
        "lng",
        "google_maps_url",
        "instagram_handle",
        "is_active",
        "featured",
        "created_at",
    ):
        assert key in data


@pytest.mark.django_db
def test_partial_update(seller_client, seller):
    res = seller_client.put(
        URL,
        {
            "name": "Keripik Bu Sri",
            "lat": -8.0952,
            "lng": 112.1724,
            "instagram_handle": "@KeripikBuSri",
            "logo_url": "https://cdn.example.id/logo.png",
        },
        format="json",
    )
    assert res.status_code == 200, res.json()
    data = res.json()["data"]
    assert data["name"] == "Keripik Bu Sri"
    assert data["lat"] == -8.0952 and data["lng"] == 112.1724
    assert data["instagram_handle"] == "keripikbusri"
    seller.store.refresh_from_db()
    assert seller.store.description == ""  # untouched
    slug_before = data["slug"]
    res = seller_client.put(URL, {"description": "Renyah"}, format="json")
    assert res.json()["data"]["slug"] == slug_before and res.json()["data"]["name"] == "Keripik Bu Sri"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, field",
    [
        ({"lat": 91}, "lat"),
        ({"lat": -90.5}, "lat"),
        ({"lng": 181}, "lng"),
        ({"lng": "timur"}, "lng"),
        ({"lat": True}, "lat"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"logo_url": "javascript:alert(1)"}, "logo_url"),
        ({"banner_url": "ftp://example.com/a.png"}, "banner_url"),
        ({"google_maps_url": "not a url"}, "google_maps_url"),
        ({"instagram_handle": "bad handle!"}, "instagram_handle"),
        ({"instagram_handle": "a" * 31}, "instagram_handle"),
        ({"instagram_handle": "dots..twice"}, "instagram_handle"),
    ],
)
def test_bad_input_400_and_unchanged(seller_client, seller, body, field):
    before = seller_client.get(URL).json()["data"]
    res = seller_client.put(URL, body, format="json")
    assert res.status_code == 400
    assert field in res.json()["meta"]["fields"]
    assert seller_client.get(URL).json()["data"] == before


@pytest.mark.django_db
def test_malformed_json(seller_client):
    res = seller_client.generic("PUT", URL, "{not json", content_type="application/json")
    assert res.status_code == 400
    assert res.json()["error"]


@pytest.mark.django_db
def test_auth_and_roles(api_client, buyer_client, admin_client_api):
    assert api_client.get(URL).status_code == 401
    assert api_client.put(URL, {"name": "x"}, format="json").status_code == 401
    assert buyer_client.get(URL).status_code == 403
    assert buyer_client.put(URL, {"name": "x"}, format="json").status_code == 403
    assert admin_client_api.get(URL).status_code == 403


@pytest.mark.django_db
def test_each_seller_sees_only_own_store(seller_client, other_seller_client, seller, other_seller):
    other_seller_client.put(URL, {"name": "Toko Lain"}, format="json")
    assert seller_client.get(URL).json()["data"]["id"] == str(seller.store.id)
    seller.store.refresh_from_db()
    assert seller.store.name != "Toko Lain"


@pytest.mark.django_db
def test_rename_reindexes_products_for_search(seller_client, seller):
    catalog_product(seller.store, name="Keripik Tempe Original")
    catalog_product(seller.store, name="Sambal Pecel Pedas")
    assert not product_search(query="Kanigoro").exists()
    res = seller_client.put(URL, {"name": "Griya Kanigoro"}, format="json")
    assert res.status_code == 200
    assert set(product_search(query="kanigoro").values_list("name", flat=True)) == {
        "Keripik Tempe Original",
        "Sambal Pecel Pedas",
    }
    assert Product.objects.filter(store=seller.store, search_vector__isnull=True).count() == 0
