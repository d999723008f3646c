"""Shipping JSON routes: seller settings, public rates, district search, simulator control."""

from __future__ import annotations

from uuid import UUID

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
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
    seller_shipping_settings_update,
    shipment_advance,
    shipping_rates,
    shipping_settings_get_or_create,
)
from stores.models import Store
from stores.selectors import store_get_for_seller
from tokoblitar.api.errors import envelope
from tokoblitar.api.inputs import StrictInputSerializer
from tokoblitar.api.schema import error_response
from tokoblitar.errors import NotFound
from tokoblitar.phones import PhoneSerializerField


class AreaOutput(serializers.Serializer):
    """A KiriminAja district (kecamatan); `id` is what `destination` and `origin_district_id` take."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    city = serializers.CharField()
    province = serializers.CharField()
    postal_code = serializers.CharField()


class QuoteOutput(serializers.Serializer):
    courier = serializers.CharField()
    courier_name = serializers.SerializerMethodField()
    service = serializers.CharField()
    service_name = serializers.CharField()
    code = serializers.CharField(help_text="What to send as `courier` when placing the order")
    price = serializers.IntegerField()
    etd_days = serializers.CharField()

    def get_courier_name(self, quote: Quote) -> str:
        return COURIERS.get(quote.courier, quote.courier)


class CourierOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ShippingSettingsOutput(serializers.Serializer):
    origin_district_id = serializers.IntegerField(source="origin_area_id")
    origin = AreaOutput(source="origin_area")
    couriers = serializers.ListField(child=serializers.CharField())
    available_couriers = serializers.SerializerMethodField()
    pickup_name = serializers.CharField()
    pickup_phone = serializers.CharField()
    pickup_address = serializers.CharField()
    pickup_schedule = serializers.ChoiceField(choices=ShippingSettings.Schedule.choices)
    provider = serializers.SerializerMethodField()

    @extend_schema_field(CourierOutput(many=True))
    def get_available_couriers(self, conf: ShippingSettings) -> list[dict]:
        return [{"code": code, "name": name} for code, name in COURIERS.items()]

    def get_provider(self, conf: ShippingSettings) -> str:
        """The shipping provider mode in force (simulator or live)."""
        return shipping_mode()


class ShipmentStepOutput(serializers.Serializer):
    callback = serializers.JSONField(help_text="The KiriminAja callback body the simulator delivered to our webhook")
    order_status = serializers.CharField()
    shipment_status = serializers.CharField()


class ShippingSettingsInput(StrictInputSerializer):
    origin_district_id = serializers.IntegerField(min_value=1, max_value=999_999_999)
    couriers = serializers.ListField(child=serializers.CharField(max_length=20), min_length=1, max_length=len(COURIERS))
    pickup_name = serializers.CharField(max_length=100, allow_blank=True)
    pickup_phone = PhoneSerializerField(allow_blank=True)
    pickup_address = serializers.CharField(max_length=300, allow_blank=True)
    pickup_schedule = serializers.ChoiceField(choices=ShippingSettings.Schedule.choices)


class SellerShippingApi(APIView):
    permission_classes = [IsSeller]

    @extend_schema(responses={200: ShippingSettingsOutput})
    def get(self, request):
        conf = shipping_settings_get_or_create(store=store_get_for_seller(user=request.user))
        return envelope(ShippingSettingsOutput(conf).data)

    @extend_schema(request=ShippingSettingsInput, responses={200: ShippingSettingsOutput})
    def put(self, request):
        data = ShippingSettingsInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "origin_district_id" in fields:
            fields["origin_area_id"] = fields.pop("origin_district_id")
        conf = seller_shipping_settings_update(actor=request.user, **fields)
        return envelope(ShippingSettingsOutput(conf).data)

    patch = put


class RatesInput(serializers.Serializer):
    store_id = serializers.UUIDField()
    destination = serializers.CharField(max_length=120)
    weight_gram = serializers.IntegerField(min_value=1, max_value=MAX_WEIGHT_GRAM)


class BuyerShippingRatesApi(APIView):
    """Public: checkout shows prices before sign-in too."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[RatesInput],
        responses={200: QuoteOutput(many=True), 502: error_response("The shipping provider failed")},
    )
    def get(self, request):
        data = RatesInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        store = Store.objects.visible().filter(pk=data.validated_data["store_id"]).first()
        if store is None:
            raise NotFound(_("Store not found"), code="store_not_found")
        quotes = shipping_rates(
            store=store, destination=data.validated_data["destination"], weight_gram=data.validated_data["weight_gram"]
        )
        return envelope(QuoteOutput(quotes, many=True).data, meta={"total": len(quotes)})


class AreasInput(serializers.Serializer):
    search = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=20)


class AreasApi(APIView):
    """District search for the checkout address form (`destination` takes the id)."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[AreasInput], responses={200: AreaOutput(many=True)})
    def get(self, request):
        data = AreasInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        areas = area_list(search=data.validated_data["search"], limit=data.validated_data["limit"])
        return envelope(AreaOutput(areas, many=True).data)


def _advance(order) -> dict:  # noqa: ANN001 - Order
    callback = shipment_advance(order=order)
    shipment = Shipment.objects.get(order=order)
    order.refresh_from_db(fields=["status"])
    return ShipmentStepOutput(
        {"callback": callback, "order_status": order.status, "shipment_status": shipment.status}
    ).data


class SellerShipmentAdvanceApi(APIView):
    """Simulator only: move the parcel one courier step via our real KiriminAja webhook."""

    permission_classes = [IsSeller]

    @extend_schema(operation_id="seller_order_shipment_advance", request=None, responses={200: ShipmentStepOutput})
    def post(self, request, order_id: UUID):
        store = store_get_for_seller(user=request.user)
        order = order_get_for_store(store=store, order_id=order_id)  # another store's order → 404
        return envelope(_advance(order))


class BuyerShipmentAdvanceApi(APIView):
    """Simulator only (demo): the buyer's tracking page can play the courier too."""

    permission_classes = [IsBuyer]

    @extend_schema(operation_id="buyer_order_shipment_advance", request=None, responses={200: ShipmentStepOutput})
    def post(self, request, order_id: UUID):
        order = order_get_for_buyer(buyer=request.user, order_id=order_id)  # someone else's → 404
        return envelope(_advance(order))
