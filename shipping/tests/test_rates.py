"""Settings, the simulator's prices, shipping_quote / shipping_rates and their API routes."""

from __future__ import annotations

import pytest

from shipping.models import DEFAULT_COURIERS, ShippingSettings
from shipping.providers.simulator import chargeable_kg, road_km, simulated_price
from shipping.services import shipping_quote, shipping_rates, shipping_settings_get_or_create
from tokoblitar.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_new_store_defaults_to_kota_blitar_and_common_couriers(seller, simulator):
    conf = shipping_settings_get_or_create(store=seller.store)
    assert conf.origin_area.city == "Kota Blitar"
    assert conf.couriers == DEFAULT_COURIERS
    assert shipping_settings_get_or_create(store=seller.store).pk == conf.pk


def test_simulator_prices_are_deterministic_and_plausible():
    blitar, sby, jkt = (-8.102, 112.164), (-7.275, 112.752), (-6.176, 106.827)
    near = road_km(blitar, (-8.098, 112.180))
    far = road_km(blitar, sby)
    farther = road_km(blitar, jkt)
    assert near < 15 < far < farther
    p = lambda km, g, c="jne", s="REG": simulated_price(courier=c, service=s, km=km, weight_gram=g)[0]  # noqa: E731
    assert p(far, 1000) == p(far, 1000)
    assert p(near, 1000) < p(far, 1000) < p(farther, 1000)
    assert p(far, 1000) < p(far, 2500) < p(far, 10_000)
    assert p(far, 1000) == p(far, 1300)  # couriers forgive 0.3 kg
    assert p(far, 1000) < p(far, 1301)
    assert p(far, 1000, "jne", "YES") > p(far, 1000, "jne", "REG") > p(far, 1000, "jne", "OKE")
    assert len({p(far, 1000, c, "REG") for c in ("jne", "sicepat", "anteraja", "pos")}) == 4
    assert all(price % 100 == 0 for price in (p(near, 700), p(farther, 4321, "pos", "REG")))
    assert 5_000 <= p(near, 1000) <= 15_000 and 10_000 <= p(far, 1000) <= 30_000
    assert chargeable_kg(1) == 1 and chargeable_kg(2300) == 2 and chargeable_kg(2301) == 3


def test_quote_cheapest_service_and_named_service(seller, simulator):
    store = seller.store
    cheapest = shipping_quote(store=store, destination="Gubeng, Kota Surabaya", weight_gram=1200, courier="jne")
    assert (cheapest.courier, cheapest.service) == ("jne", "OKE")
    reg = shipping_quote(
        store=store, destination={"district": "Gubeng", "city": "Kota Surabaya"}, weight_gram=1200, courier="JNE:reg"
    )
    assert reg.service == "REG" and reg.price > cheapest.price
    same = shipping_quote(store=store, destination=357803, weight_gram=1200, courier="jne:REG")
    assert same == reg


@pytest.mark.parametrize(
    ("courier", "destination", "weight", "field"),
    [
        ("fedex", "Gubeng", 1000, "courier"),
        ("ninja", "Gubeng", 1000, "courier"),  # known, but this store does not offer it
        ("jne:XYZ", "Gubeng", 1000, "courier"),
        ("jne", "Atlantis", 1000, "destination"),
        ("jne", 999999, 1000, "destination"),
        ("jne", "Gubeng", 0, "weight_gram"),
        ("jne", "Gubeng", 60_000, "weight_gram"),
    ],
)
def test_quote_refuses_bad_input(seller, simulator, courier, destination, weight, field):
    with pytest.raises(ValidationFailed) as exc:
        shipping_quote(store=seller.store, destination=destination, weight_gram=weight, courier=courier)
    assert field in exc.value.fields


def test_rates_cover_every_offered_courier_cheapest_first(seller, simulator):
    quotes = shipping_rates(store=seller.store, destination="Sananwetan", weight_gram=800)
    assert {q.courier for q in quotes} == set(DEFAULT_COURIERS)
    assert [q.price for q in quotes] == sorted(q.price for q in quotes)


def test_rates_api_public(api_client, seller, simulator):
    res = api_client.get(
        "/api/buyer/shipping/rates", {"store_id": seller.store.pk, "destination": "357803", "weight_gram": 1500}
    )
    assert res.status_code == 200, res.json()
    body = res.json()
    assert body["error"] is None and body["meta"]["total"] == len(body["data"]) > 5
    first = body["data"][0]
    assert set(first) >= {"courier", "service", "code", "price", "etd_days"}
    assert first["code"] == f"{first['courier']}:{first['service']}"


@pytest.mark.parametrize(
    "params",
    [
        {"destination": "Gubeng", "weight_gram": 1000},
        {"store_id": "not-a-uuid", "destination": "Gubeng", "weight_gram": 1000},
        {"store_id": "STORE", "destination": "Gubeng", "weight_gram": -5},
        {"store_id": "STORE", "destination": "Gubeng", "weight_gram": "berat"},
        {"store_id": "STORE", "destination": "Atlantis", "weight_gram": 1000},
    ],
)
def test_rates_api_bad_input_400(api_client, seller, simulator, params):
    params = {k: (seller.store.pk if v == "STORE" else v) for k, v in params.items()}
    res = api_client.get("/api/buyer/shipping/rates", params)
    assert res.status_code == 400
    assert res.json()["error"] and res.json()["meta"]["fields"]


def test_rates_api_unknown_or_suspended_store_404(api_client, seller, simulator):
    import uuid

    res = api_client.get(
        "/api/buyer/shipping/rates", {"store_id": uuid.uuid4(), "destination": "Gubeng", "weight_gram": 1000}
    )
    assert res.status_code == 404
    seller.store.is_active = False
    seller.store.save()
    res = api_client.get(
        "/api/buyer/shipping/rates", {"store_id": seller.store.pk, "destination": "Gubeng", "weight_gram": 1000}
    )
    assert res.status_code == 404


def test_seller_settings_get_and_put(seller_client, seller, simulator):
    res = seller_client.get("/api/seller/shipping")
    assert res.status_code == 200
    assert res.json()["data"]["origin_district_id"] == 357202
    assert res.json()["data"]["provider"] == "simulator"
    res = seller_client.put(
        "/api/seller/shipping",
        {
            "origin_district_id": 350518,
            "couriers": ["JNE", "sicepat", "jne"],
            "pickup_phone": "0812 3456 7890",
            "pickup_schedule": "morning",
        },
        format="json",
    )
    assert res.status_code == 200, res.json()
    data = res.json()["data"]
    assert data["origin"]["name"] == "Wlingi" and data["couriers"] == ["jne", "sicepat"]
    assert data["pickup_schedule"] == "morning"
    conf = ShippingSettings.objects.get(store=seller.store)
    assert conf.couriers == ["jne", "sicepat"] and conf.origin_area_id == 350518


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"origin_district_id": 1}, "origin_district_id"),
        ({"origin_district_id": "Blitar"}, "origin_district_id"),
        ({"couriers": ["jne", "dhl"]}, "couriers"),
        ({"couriers": []}, "couriers"),
        ({"couriers": "jne"}, "couriers"),
        ({"pickup_schedule": "midnight"}, "pickup_schedule"),
        ({"pickup_phone": "call me"}, "pickup_phone"),
    ],
)
def test_seller_settings_bad_input_changes_nothing(seller_client, seller, simulator, body, field):
    before = shipping_settings_get_or_create(store=seller.store)
    res = seller_client.put("/api/seller/shipping", body, format="json")
    assert res.status_code == 400
    assert field in res.json()["meta"]["fields"]
    after = ShippingSettings.objects.get(pk=before.pk)
    assert (after.origin_area_id, after.couriers, after.pickup_schedule) == (
        before.origin_area_id,
        before.couriers,
        before.pickup_schedule,
    )


def test_seller_settings_auth(api_client, buyer_client, simulator):
    assert api_client.get("/api/seller/shipping").status_code == 401
    assert buyer_client.get("/api/seller/shipping").status_code == 403
    assert buyer_client.put("/api/seller/shipping", {"couriers": ["jne"]}, format="json").status_code == 403


def test_area_search(api_client):
    res = api_client.get("/api/buyer/shipping/areas", {"search": "blitar sanan"})
    assert res.status_code == 200
    assert [a["id"] for a in res.json()["data"]] == [357203]
    assert api_client.get("/api/buyer/shipping/areas", {"limit": 0}).status_code == 400


def test_list_routes_use_constant_queries(api_client, seller, simulator, django_assert_max_num_queries):
    shipping_settings_get_or_create(store=seller.store)
    params = {"store_id": seller.store.pk, "destination": "Gubeng", "weight_gram": 1000}
    with django_assert_max_num_queries(3):  # store, settings + origin, destination
        assert api_client.get("/api/buyer/shipping/rates", params).status_code == 200
    with django_assert_max_num_queries(1):
        assert len(api_client.get("/api/buyer/shipping/areas", {"search": "kota", "limit": 100}).json()["data"]) > 10


def test_address_dict_errors_name_the_address_field(seller, simulator):
    with pytest.raises(ValidationFailed) as exc:
        shipping_quote(
            store=seller.store, destination={"district": "Atlantis", "city": "Laut"}, weight_gram=500, courier="jne"
        )
    assert "shipping_address.district" in exc.value.fields
    quote = shipping_quote(store=seller.store, destination={"district_id": 357203}, weight_gram=500, courier="pos")
    assert quote.courier == "pos" and quote.price > 0
