"""Mass assignment (issue 9 item 5): each write route accepts exactly the fields its role may
write. An undeclared field answers 400 naming it, and nothing is written."""

import pytest

from catalog.models import Product
from catalog.serializers import ProductInput, ProductUpdateInput
from catalog.tests.factories import catalog_product, category
from curation.api import BannerInput, FeatureInput, SuspendInput
from promos.api import PromoInput
from shipping.api import ShippingSettingsInput
from stores.api import StoreUpdateInput
from tokoblitar.api.inputs import NOT_WRITABLE, StrictInputSerializer, writable_fields

# role -> route -> (input serializer, the fields that role may write there). Adding a field to
# a write route means adding it here on purpose.
WRITABLE = {
    "seller": {
        "POST /api/seller/products": (
            ProductInput,
            {"name", "description", "price", "stock", "weight_gram", "category_id", "status", "images"},
        ),
        "PUT /api/seller/products/<id>": (
            ProductUpdateInput,
            {"name", "description", "price", "stock", "weight_gram", "category_id", "status", "expected_stock"},
        ),
        "PUT /api/seller/store": (
            StoreUpdateInput,
            {
                "name",
                "description",
                "logo_url",
                "banner_url",
                "address",
                "lat",
                "lng",
                "google_maps_url",
                "instagram_handle",
            },
        ),
        "POST|PUT /api/seller/promo": (
            PromoInput,
            {
                "code",
                "type",
                "value",
                "min_order",
                "max_discount",
                "usage_limit",
                "per_buyer_limit",
                "starts_at",
                "ends_at",
                "is_active",
            },
        ),
        "PUT /api/seller/shipping": (
            ShippingSettingsInput,
            {"origin_district_id", "couriers", "pickup_name", "pickup_phone", "pickup_address", "pickup_schedule"},
        ),
    },
    "admin": {
        "PUT /api/admin/stores|products/<id>/feature": (FeatureInput, {"featured"}),
        "DELETE /api/admin/stores/<id>": (SuspendInput, {"reason"}),
        "POST|PUT /api/admin/banners": (
            BannerInput,
            {"title", "subtitle", "image_url", "image", "link", "position", "starts_at", "ends_at", "is_active"},
        ),
        "POST|PUT /api/admin/promo": (PromoInput, None),  # same input as the seller's
    },
}


@pytest.mark.parametrize(
    "role, route",
    [(role, route) for role, routes in WRITABLE.items() for route in routes],
)
def test_writable_fields_per_role_and_route(role, route):
    serializer_class, expected = WRITABLE[role][route]
    assert issubclass(serializer_class, StrictInputSerializer), f"{route} must refuse undeclared fields"
    if expected is not None:
        assert writable_fields(serializer_class()) == expected


def test_no_seller_route_writes_curation_fields():
    for route, (serializer_class, _) in WRITABLE["seller"].items():
        fields = writable_fields(serializer_class())
        assert not fields & {"featured", "is_active_store", "store", "store_id", "slug", "used_count", "id"}, route


def _body(**extra) -> dict:
    body = {
        "name": "Keripik Tempe Pedas",
        "price": 20000,
        "stock": 12,
        "weight_gram": 250,
        "category_id": str(category().id),
        "status": "active",
    }
    body.update(extra)
    return body


@pytest.mark.django_db
def test_seller_cannot_feature_product_on_create(seller_client):
    res = seller_client.post("/api/seller/products", _body(featured=True), format="json")
    assert res.status_code == 400
    assert res.json()["meta"]["fields"] == {"featured": [NOT_WRITABLE]}
    assert "featured" in res.json()["error"]
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_seller_cannot_feature_product_on_update(seller, seller_client):
    product = catalog_product(seller.store)
    for method in ("put", "patch"):
        res = getattr(seller_client, method)(
            f"/api/seller/products/{product.pk}", {"featured": True, "store_id": "x"}, format="json"
        )
        assert res.status_code == 400
        assert set(res.json()["meta"]["fields"]) == {"featured", "store_id"}
    product.refresh_from_db()
    assert product.featured is False


@pytest.mark.django_db
def test_product_update_service_refuses_featured(seller):
    from catalog.services import product_update
    from tokoblitar.errors import ValidationFailed

    product = catalog_product(seller.store)
    with pytest.raises(ValidationFailed):
        product_update(product=product, data={"featured": True})
    product.refresh_from_db()
    assert product.featured is False


@pytest.mark.django_db
def test_seller_cannot_feature_or_rename_slug_of_store(seller, seller_client):
    res = seller_client.put("/api/seller/store", {"featured": True, "slug": "lain", "is_active": False}, format="json")
    assert res.status_code == 400
    assert set(res.json()["meta"]["fields"]) == {"featured", "slug", "is_active"}
    seller.store.refresh_from_db()
    assert seller.store.featured is False and seller.store.is_active is True


@pytest.mark.django_db
def test_seller_promo_cannot_set_used_count(seller_client):
    body = {
        "code": "HEMAT10",
        "type": "percentage",
        "value": 10,
        "starts_at": "2030-01-01T00:00:00Z",
        "ends_at": "2030-02-01T00:00:00Z",
        "used_count": 0,
    }
    res = seller_client.post("/api/seller/promo", body, format="json")
    assert res.status_code == 400
    assert set(res.json()["meta"]["fields"]) == {"used_count"}


@pytest.mark.django_db
def test_seller_shipping_settings_refuse_unknown_field(seller_client):
    res = seller_client.put("/api/seller/shipping", {"store_id": "x", "pickup_name": "Bu Sri"}, format="json")
    assert res.status_code == 400
    assert set(res.json()["meta"]["fields"]) == {"store_id"}


@pytest.mark.django_db
def test_admin_feature_route_refuses_extra_fields(admin_client_api, seller):
    product = catalog_product(seller.store)
    res = admin_client_api.put(
        f"/api/admin/products/{product.pk}/feature", {"featured": True, "price": 1}, format="json"
    )
    assert res.status_code == 400
    assert set(res.json()["meta"]["fields"]) == {"price"}
    product.refresh_from_db()
    assert product.featured is False and product.price != 1
