"""Buyer cart and orders, seller order list and actions. Thin views over services/selectors."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from accounts.permissions import IsBuyer, IsSeller
from orders.models import Order
from checkout.services import order_place
from orders.selectors import cart_list_for_buyer, order_get_for_store, order_list_for_buyer, order_list_for_store
from orders.services import cart_remove, cart_set_quantity, order_cancel, order_process
from shipping.selectors import order_get_for_buyer_with_shipment, order_shipment
from shipping.services import order_ship_manual
from stores.models import Store
from tokoblitar.api.errors import envelope
from tokoblitar.errors import NotFound
from tokoblitar.api.pagination import PageParams, paginate

# --- Output shapes ------------------------------------------------------------------------


def payment_url(order: Order) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("orders:pay", kwargs={"order_id": order.pk})


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _payment(order: Order) -> dict | None:
    payment = getattr(order, "payment", None)
    if payment is None:
        return None
    return {
        "provider": payment.provider,
        "status": payment.status,
        "qr_code": payment.qr_string,
        "payment_url": payment_url(order),
        "expires_at": _iso(payment.expires_at),
        "paid_at": _iso(payment.paid_at),
    }


def shipment_data(order: Order) -> dict | None:
    """The shipping app's Shipment as the buyer sees it; a seller-typed AWB when none was booked."""
    shipment = order_shipment(order)
    if shipment is None:
        if not order.manual_awb:
            return None
        return {
            "courier": order.courier,
            "service": order.courier_service,
            "awb": order.manual_awb,
            "status": order.status,
            "events": [],
        }
    events = shipment.events.all()
    return {
        "courier": shipment.courier or order.courier,
        "service": shipment.service or order.courier_service,
        "awb": shipment.awb or order.manual_awb,
        "status": shipment.status,
        "events": [
            {
                "status": e.status,
                "description": e.description,
                "at": _iso(e.occurred_at or e.created_at),
            }
            for e in events
        ],
    }


def order_summary(order: Order) -> dict:
    return {
        "id": str(order.pk),
        "number": order.number,
        "status": order.status,
        "needs_refund": order.needs_refund,
        "store": {"id": str(order.store.pk), "name": order.store.name, "slug": order.store.slug},
        "item_count": sum(i.quantity for i in order.items.all()),
        "subtotal": order.subtotal,
        "discount": order.discount,
        "shipping_cost": order.shipping_cost,
        "total": order.total,
        "courier": order.courier,
        "courier_service": order.courier_service,
        "payment_status": getattr(getattr(order, "payment", None), "status", None),
        "created_at": _iso(order.created_at),
    }


def order_detail(order: Order) -> dict:
    data = order_summary(order)
    data.update(
        {
            "items": [
                {
                    "product_id": str(i.product_id),
                    "name": i.product_name,
                    "price": i.price,
                    "quantity": i.quantity,
                    "subtotal": i.line_total,
                }
                for i in order.items.all()
            ],
            "promo_code": order.promo_code or None,
            "shipping_address": order.shipping_address,
            "payment": _payment(order),
            "shipment": shipment_data(order),
            "history": [
                {"from": h.from_status or None, "to": h.to_status, "cause": h.cause, "at": _iso(h.at)}
                for h in order.history.all()
            ],
        }
    )
    return data


def seller_order_row(order: Order) -> dict:
    data = order_summary(order)
    data["buyer"] = {"id": str(order.buyer.pk), "full_name": order.buyer.full_name}
    data["items"] = [{"name": i.product_name, "price": i.price, "quantity": i.quantity} for i in order.items.all()]
    data["shipping_address"] = order.shipping_address
    return data


# --- Cart ---------------------------------------------------------------------------------


def cart_data(buyer: Any) -> dict:
    groups: dict[Any, dict] = {}
    total = 0
    for line in cart_list_for_buyer(buyer=buyer):
        product = line.product
        store = product.store
        group = groups.setdefault(
            store.pk,
            {"store": {"id": str(store.pk), "name": store.name, "slug": store.slug}, "items": [], "subtotal": 0},
        )
        available = product.is_available and product.stock >= line.quantity
        line_subtotal = product.price * line.quantity
        group["items"].append(
            {
                "product_id": str(product.pk),
                "name": product.name,
                "price": product.price,
                "quantity": line.quantity,
                "stock": product.stock,
                "available": available,
                "subtotal": line_subtotal,
            }
        )
        group["subtotal"] += line_subtotal
        total += line_subtotal
    stores = list(groups.values())
    return {"stores": stores, "total": total, "item_count": sum(len(g["items"]) for g in stores)}


class CartApi(APIView):
    permission_classes = [IsBuyer]

    class SetInput(serializers.Serializer):
        product_id = serializers.UUIDField()
        quantity = serializers.IntegerField(min_value=0, max_value=999)

    class DeleteInput(serializers.Serializer):
        product_id = serializers.UUIDField(required=False)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return envelope(cart_data(request.user))

    @extend_schema(request=SetInput, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        data = self.SetInput(data=request.data)
        data.is_valid(raise_exception=True)
        cart_set_quantity(buyer=request.user, **data.validated_data)
        return envelope(cart_data(request.user))

    @extend_schema(request=DeleteInput, responses={200: OpenApiTypes.OBJECT})
    def delete(self, request):
        data = self.DeleteInput(data=request.data or {})
        data.is_valid(raise_exception=True)
        cart_remove(buyer=request.user, product_id=data.validated_data.get("product_id"))
        return envelope(cart_data(request.user))


# --- Buyer orders -------------------------------------------------------------------------


class ShippingAddressInput(serializers.Serializer):
    name = serializers.CharField(min_length=2, max_length=100)
    phone = serializers.RegexField(
        r"^\+?[0-9]{8,15}$", max_length=16, error_messages={"invalid": "8-15 digits, optionally starting with +"}
    )
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

    @extend_schema(parameters=[ListParams], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        params = self.ListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        status = params.validated_data.pop("status", None)
        page = paginate(order_list_for_buyer(buyer=request.user, status=status), **params.validated_data)
        return envelope([order_summary(o) for o in page.items], meta=page.meta)

    @extend_schema(
        request=CreateInput,
        responses={
            201: inline_serializer(
                "OrderCreated",
                {
                    "order_id": serializers.UUIDField(),
                    "number": serializers.CharField(),
                    "payment_url": serializers.URLField(),
                    "qr_code": serializers.CharField(),
                    "total": serializers.IntegerField(),
                    "expires_at": serializers.DateTimeField(),
                },
            )
        },
    )
    def post(self, request):
        data = self.CreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        placed = order_place(buyer=request.user, **data.validated_data)
        order, payment = placed.order, placed.payment
        return envelope(
            {
                "order_id": str(order.pk),
                "number": order.number,
                "payment_url": payment_url(order),
                "qr_code": payment.qr_string,
                "total": order.total,
                "expires_at": _iso(payment.expires_at),
            },
            status=201,
        )


class BuyerOrderDetailApi(APIView):
    permission_classes = [IsBuyer]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, order_id: UUID):
        return envelope(order_detail(order_get_for_buyer_with_shipment(buyer=request.user, order_id=order_id)))


class BuyerOrderTrackApi(APIView):
    permission_classes = [IsBuyer]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, order_id: UUID):
        order = order_get_for_buyer_with_shipment(buyer=request.user, order_id=order_id)
        shipment = shipment_data(order)
        return envelope(
            {
                "order_id": str(order.pk),
                "number": order.number,
                "status": order.status,
                "courier": order.courier,
                "courier_service": order.courier_service,
                "awb": shipment["awb"] if shipment else None,
                "shipment_status": shipment["status"] if shipment else None,
                "events": shipment["events"] if shipment else [],
            }
        )


# --- Seller orders ------------------------------------------------------------------------


def _seller_store(request) -> Store:
    store = Store.objects.filter(owner=request.user).first()
    if store is None:
        raise NotFound("You have no store yet")
    return store


class SellerOrdersApi(APIView):
    permission_classes = [IsSeller]

    class ListParams(PageParams):
        status = serializers.ChoiceField(choices=Order.Status.choices, required=False)

    @extend_schema(parameters=[ListParams], responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        params = self.ListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        status = params.validated_data.pop("status", None)
        page = paginate(order_list_for_store(store=_seller_store(request), status=status), **params.validated_data)
        return envelope([seller_order_row(o) for o in page.items], meta=page.meta)


class SellerOrderActionApi(APIView):
    """POST /api/seller/orders/<id>/process | ship {awb} | cancel {reason}."""

    permission_classes = [IsSeller]
    action: str = ""

    class ShipInput(serializers.Serializer):
        awb = serializers.RegexField(r"^[A-Za-z0-9-]{6,40}$", error_messages={"invalid": "6-40 letters/digits"})

    class CancelInput(serializers.Serializer):
        reason = serializers.CharField(max_length=200, required=False, default="no reason given")

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, order_id: UUID):
        order = order_get_for_store(store=_seller_store(request), order_id=order_id)  # 404 for others' orders
        if self.action == "ship":
            data = self.ShipInput(data=request.data)
            data.is_valid(raise_exception=True)
            order = order_ship_manual(order=order, awb=data.validated_data["awb"])
        elif self.action == "cancel":
            data = self.CancelInput(data=request.data or {})
            data.is_valid(raise_exception=True)
            order = order_cancel(order=order, reason=data.validated_data["reason"], by="seller")
        else:
            order = order_process(order=order)
        return envelope({"id": str(order.pk), "status": order.status, "needs_refund": order.needs_refund})
