"""The live KiriminAja client (official SDK) against a fake KiriminAja server on 127.0.0.1."""

from __future__ import annotations

import pytest

from shipping.providers import get_shipping_provider
from shipping.providers.kiriminaja import KiriminAjaShippingProvider
from shipping.services import shipping_quote, shipping_rates
from shipping.tests.fake_kiriminaja import API_KEY
from tokoblitar.errors import ProviderError, ValidationFailed

pytestmark = pytest.mark.django_db


def test_key_selects_live_client(settings, fake_ka):
    settings.SHIPPING_PROVIDER = ""
    assert isinstance(get_shipping_provider(), KiriminAjaShippingProvider)
    settings.KIRIMINAJA_API_KEY = ""
    assert get_shipping_provider().name == "simulator"


def test_rates_over_the_wire(seller, fake_ka):
    quotes = shipping_rates(store=seller.store, destination="Gubeng", weight_gram=1500)
    request = fake_ka.requests[-1]
    assert request["path"] == "/api/mitra/v6.1/shipping_price"
    assert request["headers"]["Authorization"] == f"Bearer {API_KEY}"
    assert request["body"]["origin"] == 5213 and request["body"]["destination"] == 6104
    assert request["body"]["weight"] == 1500 and set(request["body"]["courier"]) == {
        "jne",
        "jnt",
        "sicepat",
        "anteraja",
        "pos",
    }
    assert [(q.courier, q.service, q.price) for q in quotes] == [
        ("sicepat", "REG", 21000),
        ("jne", "REG23", 22000),
        ("jnt", "EZ", 23000),
        ("jne", "YES23", 38000),
    ]
    cheapest = shipping_quote(store=seller.store, destination="Gubeng", weight_gram=1500, courier="jne")
    assert (cheapest.service, cheapest.price, cheapest.etd_days) == ("REG23", 22000, "2-3")


def test_unmapped_district_is_a_validation_error(seller, fake_ka):
    with pytest.raises(ValidationFailed):
        shipping_quote(store=seller.store, destination="Klojen", weight_gram=1000, courier="jne")
    assert fake_ka.requests == []


def test_wrong_key_5xx_refusal_and_timeout_are_provider_errors(settings, seller, fake_ka):
    def quote():
        return shipping_quote(store=seller.store, destination="Gubeng", weight_gram=1000, courier="jne")

    settings.KIRIMINAJA_API_KEY = "wrong"
    with pytest.raises(ProviderError, match="KiriminAja") as exc:
        quote()
    assert exc.value.provider == "KiriminAja" and exc.value.code == "rates_unavailable"
    settings.KIRIMINAJA_API_KEY = API_KEY
    fake_ka.fail_status = 503
    with pytest.raises(ProviderError) as exc:
        quote()
    assert "503" in exc.value.reason
    fake_ka.fail_status = None
    fake_ka.refuse = "Saldo tidak cukup"
    with pytest.raises(ProviderError) as exc:
        quote()
    assert "Saldo tidak cukup" in exc.value.reason
    fake_ka.refuse = None
    fake_ka.delay = 1.5
    with pytest.raises(ProviderError) as exc:
        quote()
    assert "timed out" in exc.value.reason
    fake_ka.delay = 0
    assert quote().price == 11000


def test_rates_api_502_names_provider(api_client, seller, fake_ka):
    fake_ka.fail_status = 500
    res = api_client.get(
        "/api/buyer/shipping/rates", {"store_id": seller.store.pk, "destination": "Gubeng", "weight_gram": 900}
    )
    assert res.status_code == 502
    assert "KiriminAja" in res.json()["error"]
