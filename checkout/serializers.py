"""Output shapes of the cart and order routes (SPEC §4), as named serializers.

The JSON is the one these routes answered before they had serializers: ids as strings,
datetimes as `isoformat()` of the stored value (IsoDateTimeField), "" promo codes and
statuses as null where the route said so. Views pass models (or the small value objects
below) and never build dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.serializers import StoreBrief
from orders.models import CartItem, Order, Payment
from shipping.models import ShipmentEvent
from shipping.selectors import order_shipment
from tokoblitar.api.outputs import IsoDateTimeField, NullIfBlankCharField


def payment_url(order: Order) -> str:
    """Absolute URL of the order's payment page (SITE_URL + /pay/<id>/)."""
    return settings.SITE_URL.rstrip("/") + reverse("orders:pay", kwargs={"order_id": order.pk})


# --- Value objects the serializers read ---------------------------------------------------


@dataclass(frozen=True)
class ShipmentView:
    """The shipment as the buyer sees it: the booked Shipment, or the seller-typed AWB
    (then `status` is the order's status and there are no events)."""

    courier: str
    service: str
    awb: str
    status: str
    events: list[ShipmentEvent] = field(default_factory=list)


def shipment_view(order: Order) -> ShipmentView | None:
    """The order's shipment (see ShipmentView); None when none was booked nor typed."""
    shipment = order_shipment(order)
    if shipment is None:
        if not order.manual_awb:
            return None
        return ShipmentView(order.courier, order.courier_service, order.manual_awb, order.status)
    return ShipmentView(
        courier=shipment.courier or order.courier,
        service=shipment.service or order.courier_service,
        awb=shipment.awb or order.manual_awb,
        status=shipment.status,
        events=list(shipment.events.all()),
    )


@dataclass(frozen=True)
class OrderTrack:
    order: Order
    shipment: ShipmentView | None

    @property
    def events(self) -> list[ShipmentEvent]:
        return self.shipment.events if self.shipment else []


@dataclass
class CartGroup:
    store: Any  # stores.models.Store
    lines: list[CartItem] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        return sum(line.product.price * line.quantity for line in self.lines)


@dataclass(frozen=True)
class Cart:
    groups: list[CartGroup]

    @property
    def total(self) -> int:
        return sum(group.subtotal for group in self.groups)

    @property
    def item_count(self) -> int:
        """Distinct products in the cart (not units)."""
        return sum(len(group.lines) for group in self.groups)


def cart_from_lines(lines: list[CartItem]) -> Cart:
    """Cart lines grouped by store, in the order the stores first appear."""
    groups: dict[Any, CartGroup] = {}
    for line in lines:
        store = line.product.store
        groups.setdefault(store.pk, CartGroup(store=store)).lines.append(line)
    return Cart(groups=list(groups.values()))


# --- Cart ----------------------------------------------------------------------------------


class CartLineOutput(serializers.Serializer):
    product_id = serializers.UUIDField(source="product.pk")
    name = serializers.CharField(source="product.name")
    price = serializers.IntegerField(source="product.price")
    quantity = serializers.IntegerField()
    stock = serializers.IntegerField(source="product.stock")
    available = serializers.SerializerMethodField()
    subtotal = serializers.SerializerMethodField()

    def get_available(self, line: CartItem) -> bool:
        """The product can be bought now in this quantity."""
        return line.product.is_available and line.product.stock >= line.quantity

    def get_subtotal(self, line: CartItem) -> int:
        return line.product.price * line.quantity


class CartStoreOutput(serializers.Serializer):
    store = StoreBrief()
    items = CartLineOutput(many=True, source="lines")
    subtotal = serializers.IntegerField()


class CartOutput(serializers.Serializer):
    """The buyer's cart grouped by store; `item_count` counts distinct products."""

    stores = CartStoreOutput(many=True, source="groups")
    total = serializers.IntegerField()
    item_count = serializers.IntegerField()


# --- Orders --------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "description": "The address the buyer gave at checkout.",
        "properties": {
            "name": {"type": "string"},
            "phone": {"type": "string"},
            "address": {"type": "string"},
            "city": {"type": "string"},
            "district": {"type": "string"},
            "postal_code": {"type": "string"},
        },
        "additionalProperties": True,
    }
)
class ShippingAddressField(serializers.JSONField):
    """The stored address object, answered as stored."""


class OrderItemOutput(serializers.Serializer):
    product_id = serializers.UUIDField()
    name = serializers.CharField(source="product_name")
    price = serializers.IntegerField()
    quantity = serializers.IntegerField()
    subtotal = serializers.IntegerField(source="line_total")


class PaymentOutput(serializers.Serializer):
    provider = serializers.CharField()
    status = serializers.CharField()
    qr_code = serializers.CharField(source="qr_string")
    payment_url = serializers.SerializerMethodField()
    expires_at = IsoDateTimeField()
    paid_at = IsoDateTimeField(allow_null=True)

    def get_payment_url(self, payment: Payment) -> str:
        return payment_url(payment.order)


class ShipmentEventOutput(serializers.Serializer):
    status = serializers.CharField()
    description = serializers.CharField(source="description_text")
    at = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateTimeField())
    def get_at(self, event: ShipmentEvent) -> str:
        return (event.occurred_at or event.created_at).isoformat()


class ShipmentOutput(serializers.Serializer):
    courier = serializers.CharField()
    service = serializers.CharField()
    awb = serializers.CharField()
    status = serializers.CharField(help_text="The shipment's status; the order's when only an AWB was typed.")
    events = ShipmentEventOutput(many=True)


class OrderHistoryOutput(serializers.Serializer):
    """One status change: `from` (null for the first), `to`, `cause` (a sentence in the response's
    language), `cause_code` (stable, for programs: orders.causes.MESSAGES keys; blank on old rows),
    `at`."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {  # "from" is a Python keyword: declared here instead of as class attributes
            "from": NullIfBlankCharField(source="from_status"),
            "to": serializers.CharField(source="to_status"),
            "cause": serializers.CharField(source="cause_text"),
            "cause_code": serializers.CharField(),
            "at": IsoDateTimeField(),
        }


class BuyerBriefOutput(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()


class OrderSummaryOutput(serializers.Serializer):
    """One row of the buyer's order list."""

    id = serializers.UUIDField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Order.Status.choices)
    needs_refund = serializers.BooleanField()
    store = StoreBrief()
    item_count = serializers.SerializerMethodField()
    subtotal = serializers.IntegerField()
    discount = serializers.IntegerField()
    shipping_cost = serializers.IntegerField()
    total = serializers.IntegerField()
    courier = serializers.CharField()
    courier_service = serializers.CharField()
    payment_status = serializers.SerializerMethodField()
    created_at = IsoDateTimeField()

    def get_item_count(self, order: Order) -> int:
        """Units ordered, all lines."""
        return sum(i.quantity for i in order.items.all())

    def get_payment_status(self, order: Order) -> str | None:
        return getattr(getattr(order, "payment", None), "status", None)


class OrderDetailOutput(OrderSummaryOutput):
    """The buyer's own order with items, payment, shipment and status history."""

    items = OrderItemOutput(many=True, source="items.all")
    promo_code = NullIfBlankCharField()
    shipping_address = ShippingAddressField()
    payment = serializers.SerializerMethodField()
    shipment = serializers.SerializerMethodField()
    history = OrderHistoryOutput(many=True, source="history.all")

    @extend_schema_field(PaymentOutput(allow_null=True))
    def get_payment(self, order: Order) -> dict | None:
        payment = getattr(order, "payment", None)
        return PaymentOutput(payment).data if payment is not None else None

    @extend_schema_field(ShipmentOutput(allow_null=True))
    def get_shipment(self, order: Order) -> dict | None:
        view = shipment_view(order)
        return ShipmentOutput(view).data if view is not None else None


class SellerOrderItemOutput(serializers.Serializer):
    name = serializers.CharField(source="product_name")
    price = serializers.IntegerField()
    quantity = serializers.IntegerField()


class SellerOrderOutput(OrderSummaryOutput):
    """One row of the seller's order list: the summary plus buyer, lines and address."""

    buyer = BuyerBriefOutput()
    items = SellerOrderItemOutput(many=True, source="items.all")
    shipping_address = ShippingAddressField()


class OrderTrackOutput(serializers.Serializer):
    order_id = serializers.UUIDField(source="order.pk")
    number = serializers.CharField(source="order.number")
    status = serializers.ChoiceField(choices=Order.Status.choices, source="order.status")
    courier = serializers.CharField(source="order.courier")
    courier_service = serializers.CharField(source="order.courier_service")
    awb = serializers.CharField(source="shipment.awb", allow_null=True)
    shipment_status = serializers.CharField(source="shipment.status", allow_null=True)
    events = ShipmentEventOutput(many=True)


class OrderActionOutput(serializers.Serializer):
    """The order after a seller action (process, ship, cancel)."""

    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Order.Status.choices)
    needs_refund = serializers.BooleanField()


class OrderCreatedOutput(serializers.Serializer):
    """A placed order: pay at `payment_url` or with the QRIS string `qr_code` before `expires_at`."""

    order_id = serializers.UUIDField(source="order.pk")
    number = serializers.CharField(source="order.number")
    payment_url = serializers.SerializerMethodField()
    qr_code = serializers.CharField(source="payment.qr_string")
    total = serializers.IntegerField(source="order.total")
    expires_at = IsoDateTimeField(source="payment.expires_at")

    def get_payment_url(self, placed: Any) -> str:
        return payment_url(placed.order)
