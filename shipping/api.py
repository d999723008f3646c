"""Shipping JSON routes: seller settings, public rates, district search, simulator control."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from accounts.permissions import IsBuyer, IsSeller
from orders.selectors import order_get_for_buyer, order_get_for_store
from shipping.models import COURIERS, Shipment, ShippingSettings
from shipping.providers import shipping_mode
from shipping.providers.base import Quote
from shipping.selectors import area_list
from shipping.services import (
    MAX_WEIGHT_GRAM,
    shipment_advance,
    shipping_rates,
    shipping_settings_get_or_create,
    shipping_settings_update,
)
from stores.models import Store
from stores.selectors import store_get_for_seller
from tokoblitar.api.errors import envelope
from tokoblitar.api.inputs import StrictInputSerializer
from tokoblitar.errors import NotFound


def area_data(area) -> dict:  # noqa: ANN001 - Area
    return {
        "id": area.id,
        "name": area.name,
        "city": area.city,
        "province": area.province,
        "postal_code": area.postal_code,
    }


def quote_data(quote: Quote) -> dict:
    return {
        "courier": quote.courier,
        "courier_name": COURIERS.get(quote.courier, quote.courier),
        "service": quote.service,
        "service_name": quote.service_name,
        "code": quote.code,  # what to send as `courier` when placing the order
        "price": quote.price,
        "etd_days": quote.etd_days,
    }


def settings_data(conf: ShippingSettings) -> dict:
    return {
        "origin_district_id": conf.origin_area_id,
        "origin": area_data(conf.origin_area),
        "couriers": list(conf.couriers),
        "available_couriers": [{"code": code, "name": name} for code, name in COURIERS.items()],
        "pickup_name": conf.pickup_name,
        "pickup_phone": conf.pickup_phone,
        "pickup_address": conf.pickup_address,
        "pickup_schedule": conf.pickup_schedule,
        "provider": shipping_mode(),
    }


class ShippingSettingsInput(StrictInputSerializer):
    origin_district_id = serializers.IntegerField(min_value=1, max_value=999_999_999)
    couriers = serializers.ListField(child=serializers.CharField(max_length=20), min_length=1, max_length=len(COURIERS))
    pickup_name = serializers.CharField(max_length=100, allow_blank=True)
    pickup_phone = serializers.RegexField(
        r"^\+?[0-9][0-9 -]{6,18}$",
        max_length=20,
        allow_blank=True,
        error_messages={"invalid": "Nomor telepon tidak valid"},
    )
    pickup_address = serializers.CharField(max_length=300, allow_blank=True)
    pickup_schedule = serializers.ChoiceField(choices=ShippingSettings.Schedule.choices)


class SellerShippingApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(responses={200: None})
    def get(self, request):
        conf = shipping_settings_get_or_create(store=store_get_for_seller(user=request.user))
        return envelope(settings_data(conf))

    @extend_schema(request=ShippingSettingsInput, responses={200: None})
    def put(self, request):
        data = ShippingSettingsInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "origin_district_id" in fields:
            fields["origin_area_id"] = fields.pop("origin_district_id")
        conf = shipping_settings_update(store=store_get_for_seller(user=request.user), **fields)
        return envelope(settings_data(conf))

    patch = put


class RatesInput(serializers.Serializer):
    store_id = serializers.UUIDField()
    destination = serializers.CharField(max_length=120)
    weight_gram = serializers.IntegerField(min_value=1, max_value=MAX_WEIGHT_GRAM)


class BuyerShippingRatesApi(APIView):
    """Public: checkout shows prices before sign-in too."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[RatesInput], responses={200: None})
    def get(self, request):
        data = RatesInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        store = Store.objects.visible().filter(pk=data.validated_data["store_id"]).first()
        if store is None:
            raise NotFound("Toko tidak ditemukan")
        quotes = shipping_rates(
            store=store, destination=data.validated_data["destination"], weight_gram=data.validated_data["weight_gram"]
        )
        return envelope([quote_data(q) for q in quotes], meta={"total": len(quotes)})


class AreasInput(serializers.Serializer):
    search = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=20)


class AreasApi(APIView):
    """District search for the checkout address form (`destination` takes the id)."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[AreasInput], responses={200: None})
    def get(self, request):
        data = AreasInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        areas = area_list(search=data.validated_data["search"], limit=data.validated_data["limit"])
        return envelope([area_data(a) for a in areas])


def _advance(order) -> dict:  # noqa: ANN001 - Order
    callback = shipment_advance(order=order)
    shipment = Shipment.objects.get(order=order)
    order.refresh_from_db(fields=["status"])
    return {"callback": callback, "order_status": order.status, "shipment_status": shipment.status}


class SellerShipmentAdvanceApi(APIView):
    """Simulator only: move the parcel one courier step via our real KiriminAja webhook."""

    permission_classes = [IsSeller]

    @extend_schema(request=None, responses={200: None})
    def post(self, request, order_id: UUID):
        store = store_get_for_seller(user=request.user)
        order = order_get_for_store(store=store, order_id=order_id)  # another store's order → 404
        return envelope(_advance(order))


class BuyerShipmentAdvanceApi(APIView):
    """Simulator only (demo): the buyer's tracking page can play the courier too."""

    permission_classes = [IsBuyer]

    @extend_schema(request=None, responses={200: None})
    def post(self, request, order_id: UUID):
        order = order_get_for_buyer(buyer=request.user, order_id=order_id)  # someone else's → 404
        return envelope(_advance(order))
