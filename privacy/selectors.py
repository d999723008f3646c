"""Reads for personal data (UU 27/2022): everything we hold about one person, as JSON.

The export is the user's own data only: her profile, saved addresses, cart, the orders she
placed (with their item snapshots and status history), her WhatsApp chats with stores (matched
by her phone number, however it was written), what she was notified of, and, for a seller, her
store's profile and its WhatsApp inbox as metadata. The orders and messages other people placed
or wrote in her store are theirs, not hers, and are not included.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import SavedAddress, User
from orders.models import CartItem, Order, OrderItem, OrderStatusChange
from stores.models import Store
from tokoblitar.personal_data import export_sections
from whatsapp.personal_data import whatsapp_export_for_buyer, whatsapp_export_for_seller

EXPORT_FORMAT_VERSION = 2

# Statuses in which an order still needs someone to act (pack, ship, deliver) or money must
# still be returned: an account involved in one cannot be deleted yet.
OPEN_ORDER_STATUSES = (Order.Status.PAID, Order.Status.PROCESSING, Order.Status.SHIPPED)


def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None


def _order_json(order: Order) -> dict:
    return {
        "number": order.number,
        "store": {"name": order.store.name, "slug": order.store.slug},
        "status": order.status,
        "created_at": _iso(order.created_at),
        "subtotal": order.subtotal,
        "discount": order.discount,
        "shipping_cost": order.shipping_cost,
        "total": order.total,
        "promo_code": order.promo_code,
        "courier": order.courier,
        "courier_service": order.courier_service,
        "shipping_address": order.shipping_address,
        "items": [
            {"product_name": item.product_name, "price": item.price, "quantity": item.quantity}
            for item in order.items.all()
        ],
        "history": [
            {"from_status": change.from_status, "to_status": change.to_status, "at": _iso(change.at)}
            for change in order.history.all()
        ],
    }


def _store_json(store: Store | None) -> dict | None:
    if store is None:
        return None
    return {
        "name": store.name,
        "slug": store.slug,
        "description": store.description,
        "address": store.address,
        "instagram_handle": store.instagram_handle,
        "created_at": _iso(store.created_at),
    }


def personal_data_export(*, user: User) -> dict:
    """Everything held about `user`, JSON-safe: {format_version, exported_at, profile,
    addresses, cart, orders, store, messages, whatsapp_inbox, notifications}. Money is int
    rupiah, times ISO 8601 (UTC). `messages`: her WhatsApp chats with stores and their messages;
    `whatsapp_inbox`: her store's session and chats as metadata (sellers), else null;
    `notifications` (and any other section an app registered, tokoblitar.personal_data).

    A fixed number of queries whatever the number of orders, chats or notifications."""
    store = Store.objects.filter(owner=user).first()
    addresses = SavedAddress.objects.filter(user=user)
    cart = CartItem.objects.filter(buyer=user).select_related("product").order_by("created_at", "id")
    orders = (
        Order.objects.filter(buyer=user)
        .select_related("store")
        .prefetch_related(
            Prefetch("items", queryset=OrderItem.objects.order_by("id")),
            Prefetch("history", queryset=OrderStatusChange.objects.order_by("at", "id")),
        )
        .order_by("-created_at", "-id")
    )
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": _iso(timezone.now()),
        "profile": {
            "id": str(user.pk),
            "email": user.email,
            "full_name": user.full_name,
            "phone": user.phone,
            "role": user.role,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "addresses": [
            {
                "label": a.label,
                "name": a.name,
                "phone": a.phone,
                "address": a.address,
                "district": a.district,
                "city": a.city,
                "postal_code": a.postal_code,
                "is_default": a.is_default,
            }
            for a in addresses
        ],
        "cart": [{"product_name": line.product.name, "quantity": line.quantity} for line in cart],
        "orders": [_order_json(order) for order in orders],
        "store": _store_json(store),
        "messages": whatsapp_export_for_buyer(user=user),
        "whatsapp_inbox": whatsapp_export_for_seller(user=user) if store is not None else None,
        **export_sections(user=user),
    }


def open_orders_blocking_deletion(*, user: User) -> list[dict]:
    """Orders that must be finished before `user`'s account can go: her store's orders that
    are paid, being processed or shipped, or wait for a refund; and her own orders in those
    states (the seller still needs her address to deliver them). Each is {id, number, status,
    as: "seller" | "buyer"}, oldest first. Two queries."""
    blocking: list[dict] = []
    store_orders = Order.objects.filter(store__owner=user)
    open_in_store = store_orders.filter(status__in=OPEN_ORDER_STATUSES) | store_orders.filter(
        needs_refund=True
    ).exclude(status=Order.Status.REFUNDED)
    for pk, number, status in open_in_store.order_by("created_at", "id").values_list("pk", "number", "status"):
        blocking.append({"id": str(pk), "number": number, "status": status, "as": "seller"})
    own = Order.objects.filter(buyer=user, status__in=OPEN_ORDER_STATUSES).order_by("created_at", "id")
    for pk, number, status in own.values_list("pk", "number", "status"):
        blocking.append({"id": str(pk), "number": number, "status": status, "as": "buyer"})
    return blocking
