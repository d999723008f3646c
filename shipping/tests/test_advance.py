"""The simulator's development control: advancing a parcel calls our real webhook over HTTP."""

from __future__ import annotations

import importlib
import uuid
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from conftest import client_for
from orders.models import Order
from shipping.models import Shipment, ShipmentEvent, SimulatedShipment
from shipping.tasks import shipment_book
from shipping.tests.helpers import paid_order
from webhooks.models import ProviderNotification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def areas(transactional_db):
    # Transactional tests flush tables between tests, seeded districts included.
    importlib.import_module("shipping.migrations.0002_seed_areas").seed(apps, None)


@pytest.fixture
def booked(settings, live_server, buyer, seller, simulator) -> Order:
    settings.SITE_URL = live_server.url
    order = paid_order(buyer=buyer, store=seller.store)
    shipment_book.call(order_id=str(order.pk))
    return order


def test_advance_route_walks_the_parcel_to_delivered(seller, booked):
    client = client_for(seller)
    url = f"/api/seller/orders/{booked.pk}/shipment/advance"
    steps = []
    for _ in range(3):
        res = client.post(url)
        assert res.status_code == 200, res.json()
        steps.append((res.json()["data"]["callback"]["method"], res.json()["data"]["order_status"]))
    assert steps == [
        ("processed_packages", "processing"),
        ("shipped_packages", "shipped"),
        ("finished_packages", "delivered"),
    ]
    shipment = Shipment.objects.get(order=booked)
    assert shipment.status == "delivered"
    assert shipment.awb == SimulatedShipment.objects.get(order_ref=booked.number).awb != ""
    # Every step arrived through the webhook, authenticated like KiriminAja.
    logs = ProviderNotification.objects.filter(provider="kiriminaja").order_by("received_at")
    assert [log.event for log in logs] == ["processed_packages", "shipped_packages", "finished_packages"]
    assert all(log.signature_valid and log.headers["HTTP_USER_AGENT"] == "KiriminAja-Push-Services" for log in logs)
    assert ShipmentEvent.objects.filter(shipment=shipment).count() == 4
    assert client.post(url).status_code == 409  # nothing left to advance


def test_advance_route_permissions(settings, api_client, buyer, other_seller, seller, booked):
    url = f"/api/seller/orders/{booked.pk}/shipment/advance"
    assert api_client.post(url).status_code == 401
    assert client_for(buyer).post(url).status_code == 403
    assert client_for(other_seller).post(url).status_code == 404
    assert client_for(seller).post(f"/api/seller/orders/{uuid.uuid4()}/shipment/advance").status_code == 404
    assert client_for(seller).post("/api/seller/orders/not-a-uuid/shipment/advance").status_code == 404
    settings.SHIPPING_PROVIDER = "kiriminaja"
    settings.KIRIMINAJA_API_KEY = "live"
    assert client_for(seller).post(url).status_code == 403
    assert Shipment.objects.get(order=booked).status == "booked"


def test_advance_before_booking_is_a_conflict(settings, live_server, buyer, seller, simulator):
    settings.SITE_URL = live_server.url
    order = paid_order(buyer=buyer, store=seller.store)
    res = client_for(seller).post(f"/api/seller/orders/{order.pk}/shipment/advance")
    assert res.status_code == 409


def test_management_command(booked):
    out = StringIO()
    call_command("advance_shipment", booked.number, stdout=out)
    assert "processed_packages" in out.getvalue()
    call_command("advance_shipment", str(booked.pk), stdout=out)
    booked.refresh_from_db()
    assert booked.status == "shipped"
    with pytest.raises(CommandError):
        call_command("advance_shipment", "TB-00000000-NOPE")


def test_webhook_unreachable_is_a_provider_error(settings, seller, booked):
    settings.SITE_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    res = client_for(seller).post(f"/api/seller/orders/{booked.pk}/shipment/advance")
    assert res.status_code == 502 and "KiriminAja" in res.json()["error"]
    assert SimulatedShipment.objects.get(order_ref=booked.number).last_method == ""  # can be sent again


def test_buyer_may_advance_own_order_in_simulator(settings, buyer, seller, booked):
    from conftest import make_user

    url = f"/api/buyer/orders/{booked.pk}/shipment/advance"
    assert client_for(make_user("buyer")).post(url).status_code == 404
    assert client_for(seller).post(url).status_code == 404  # sellers shop too, but it is not her order
    res = client_for(buyer).post(url)
    assert res.status_code == 200 and res.json()["data"]["shipment_status"] == "processed"
