"""Buyer cart and orders, seller order list and actions. Thin views over services/selectors."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.views import APIView

from accounts.permissions import IsBuyer, IsSeller
from checkout.serializers import (
    CartOutput,
    OrderActionOutput,
    OrderCreatedOutput,
    OrderDetailOutput,
    OrderSummaryOutput,
    OrderTrack,
    OrderTrackOutput,
    SellerOrderOutput,
    cart_from_lines,
    shipment_view,
)
from checkout.services import order_place
from orders.models import Order
from orders.selectors import cart_list_for_buyer, order_list_for_buyer, order_list_for_store
from orders.services import cart_remove, cart_set_quantity, seller_order_cancel, seller_order_process
from shipping.selectors import order_get_for_buyer_with_shipment
from shipping.services import seller_order_ship
from stores.models import Store
from tokoblitar.api.errors import envelope
from tokoblitar.api.pagination import PageParams, paginate
from tokoblitar.api.schema import error_response
from tokoblitar.errors import NotFound, ValidationFailed
from tokoblitar.phones import PhoneSerializerField

IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,100}")


def cart_output(buyer: Any) -> dict:
    """The buyer's cart as CartOutput data."""
    return CartOutput(cart_from_lines(list(cart_list_for_buyer(buyer=buyer)))).data


class CartApi(APIView):
    permission_classes = [IsBuyer]

    class SetInput(serializers.Serializer):
        product_id = serializers.UUIDField()
        quantity = serializers.IntegerField(min_value=0, max_value=999)

    class DeleteInput(serializers.Serializer):
        product_id = serializers.UUIDField(required=False)

    @extend_schema(operation_id="buyer_cart_retrieve", responses={200: CartOutput})
    def get(self, request):
        return envelope(cart_output(request.user))

    @extend_schema(operation_id="buyer_cart_set_quantity", request=SetInput, responses={200: CartOutput})
    def post(self, request):
        data = self.SetInput(data=request.data)
        data.is_valid(raise_exception=True)
        cart_set_quantity(buyer=request.user, **data.validated_data)
        return envelope(cart_output(request.user))

    @extend_schema(
        operation_id="buyer_cart_remove",
        request=DeleteInput,
        responses={200: CartOutput},
        description="Body `{product_id}` removes that product; no body empties the cart.",
    )
    def delete(self, request):
        data = self.DeleteInput(data=request.data or {})
        data.is_valid(raise_exception=True)
        cart_remove(buyer=request.user, product_id=data.validated_data.get("product_id"))
        return envelope(cart_output(request.user))


# --- Buyer orders -------------------------------------------------------------------------


class ShippingAddressInput(serializers.Serializer):
    name = serializers.CharField(min_length=2, max_length=100)
    phone = PhoneSerializerField()
    address = serializers.CharField(min_length=5, max_length=300)
    city = serializers.CharField(min_length=2, max_length=100)
    district = serializers.CharField(min_length=2, max_length=100)
    postal_code = serializers.RegexField(r"^[0-9]{5}$", error_messages={"invalid": "Five digits"})


class OrderLineInput(serializers.Serializer):
    product_id = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1, max_value=999)


class BuyerOrdersApi(APIView):
    permission_classes = [IsBuyer]

    class CreateInput(serializers.Serializer):
        store_id = serializers.UUIDField()
        items = OrderLineInput(many=True, allow_empty=False, max_length=50)
        promo_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
        shipping_address = ShippingAddressInput()
        courier = serializers.RegexField(
            r"^[a-z0-9_]{2,20}(:[A-Za-z0-9_-]{1,30})?$",
            error_messages={"invalid": "A courier code such as jne, optionally with a service: jne:REG"},
        )

    class ListParams(PageParams):
        status = serializers.ChoiceField(choices=Order.Status.choices, required=False)

    @extend_schema(parameters=[ListParams], responses={200: OrderSummaryOutput(many=True)})
    def get(self, request):
        params = self.ListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        status = params.validated_data.pop("status", None)
        page = paginate(order_list_for_buyer(buyer=request.user, status=status), **params.validated_data)
        return envelope(OrderSummaryOutput(page.items, many=True).data, meta=page.meta)

    @extend_schema(
        operation_id="buyer_orders_place",
        request=CreateInput,
        responses={201: OrderCreatedOutput, 502: error_response("The payment provider failed; nothing was kept")},
    )
    def post(self, request):
        """Place one order. An optional `Idempotency-Key` header (1–100 visible ASCII chars)
        makes retries safe: the same key from the same buyer answers the same order (201),
        whatever arrives at the same moment; reused with a different body → 409."""
        data = self.CreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "")
        if key and not IDEMPOTENCY_KEY.fullmatch(key):
            raise ValidationFailed(
                _("Idempotency-Key must be 1-100 visible ASCII characters"), code="invalid_idempotency_key"
            )
        placed = order_place(buyer=request.user, idempotency_key=key, **data.validated_data)
        return envelope(OrderCreatedOutput(placed).data, status=201)


class BuyerOrderDetailApi(APIView):
    permission_classes = [IsBuyer]

    @extend_schema(operation_id="buyer_order_retrieve", responses={200: OrderDetailOutput})
    def get(self, request, order_id: UUID):
        order = order_get_for_buyer_with_shipment(buyer=request.user, order_id=order_id)
        return envelope(OrderDetailOutput(order).data)


class BuyerOrderTrackApi(APIView):
    permission_classes = [IsBuyer]

    @extend_schema(operation_id="buyer_order_track", responses={200: OrderTrackOutput})
    def get(self, request, order_id: UUID):
        order = order_get_for_buyer_with_shipment(buyer=request.user, order_id=order_id)
        return envelope(OrderTrackOutput(OrderTrack(order=order, shipment=shipment_view(order))).data)


# --- Seller orders ------------------------------------------------------------------------


def _seller_store(request) -> Store:
    store = Store.objects.filter(owner=request.user).first()
    if store is None:
        raise NotFound(_("You have no store yet"), code="no_store")
    return store


class SellerOrdersApi(APIView):
    permission_classes = [IsSeller]

    class ListParams(PageParams):
        status = serializers.ChoiceField(choices=Order.Status.choices, required=False)

    @extend_schema(parameters=[ListParams], responses={200: SellerOrderOutput(many=True)})
    def get(self, request):
        params = self.ListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        status = params.validated_data.pop("status", None)
        page = paginate(order_list_for_store(store=_seller_store(request), status=status), **params.validated_data)
        return envelope(SellerOrderOutput(page.items, many=True).data, meta=page.meta)


class SellerOrderActionApi(APIView):
    """POST /api/seller/orders/<id>/process | ship {awb} | cancel {reason}."""

    permission_classes = [IsSeller]
    action: str = ""

    class ShipInput(serializers.Serializer):
        awb = serializers.RegexField(r"^[A-Za-z0-9-]{6,40}$", error_messages={"invalid": "6-40 letters/digits"})

    class CancelInput(serializers.Serializer):
        reason = serializers.CharField(max_length=200, required=False, default="no reason given")

    def post(self, request, order_id: UUID):
        # Entry services scope to the seller's store: another store's order answers 404.
        if self.action == "ship":
            data = self.ShipInput(data=request.data)
            data.is_valid(raise_exception=True)
            order = seller_order_ship(actor=request.user, order_id=order_id, awb=data.validated_data["awb"])
        elif self.action == "cancel":
            data = self.CancelInput(data=request.data or {})
            data.is_valid(raise_exception=True)
            order = seller_order_cancel(actor=request.user, order_id=order_id, reason=data.validated_data["reason"])
        else:
            order = seller_order_process(actor=request.user, order_id=order_id)
        return envelope(OrderActionOutput(order).data)


# One view answers three routes; each route's subclass names its operation and request body.


@extend_schema_view(
    post=extend_schema(operation_id="seller_order_process", request=None, responses={200: OrderActionOutput})
)
class SellerOrderProcessApi(SellerOrderActionApi):
    action = "process"


@extend_schema_view(
    post=extend_schema(
        operation_id="seller_order_ship", request=SellerOrderActionApi.ShipInput, responses={200: OrderActionOutput}
    )
)
class SellerOrderShipApi(SellerOrderActionApi):
    action = "ship"


@extend_schema_view(
    post=extend_schema(
        operation_id="seller_order_cancel", request=SellerOrderActionApi.CancelInput, responses={200: OrderActionOutput}
    )
)
class SellerOrderCancelApi(SellerOrderActionApi):
    action = "cancel"
