"""Commerce in the chat: the texts of the quick actions (product card, QRIS payment link,
tracking status) and canned replies with variables (`{nama}`, `{toko}`, `{total}`, `{resi}`).

Texts go to buyers in Blitar, so they are Indonesian whatever the seller's page language.
Links are absolute (SITE_URL): the buyer opens them from WhatsApp.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from catalog.models import Product
from orders.models import Order, Payment
from tokoblitar.money import format_rupiah

_VARIABLE = re.compile(r"\{(nama|toko|total|resi)\}")


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def product_card_text(product: Product) -> str:
    """*Name*, price, stock and the product's page."""
    url = _absolute(
        reverse("storefront:product", kwargs={"store_slug": product.store.slug, "product_slug": product.slug})
    )
    stock = f"stok {product.stock}" if product.stock > 0 else "stok habis"
    return f"*{product.name}*\n{format_rupiah(product.price)} · {stock}\n{url}"


_BUYER_TZ = zoneinfo.ZoneInfo("Asia/Jakarta")  # buyers are in Blitar, whatever the server's zone


def payment_link_text(order: Order) -> str | None:
    """The QRIS payment page of a pending order with its deadline (Asia/Jakarta, "14:05 WIB,
    1 Des 2026"); None when the order is not awaiting payment or its payment has run out
    (the expiry sweep may not have caught up yet)."""
    if order.status != Order.Status.PENDING_PAYMENT:
        return None
    payment = Payment.objects.filter(order=order).first()
    if payment is None or payment.expires_at <= timezone.now():
        return None
    url = _absolute(reverse("orders:pay", kwargs={"order_id": order.pk}))
    local = payment.expires_at.astimezone(_BUYER_TZ)
    deadline = f"{local:%H:%M} WIB, {local.day} {_MONTHS[local.month - 1]} {local.year}"
    return (
        f"Pesanan {order.number}, total {format_rupiah(order.total)}.\n"
        f"Bayar lewat QRIS di sini: {url}\nBayar sebelum {deadline}."
    )


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def _awb(order: Order) -> str:
    shipment = getattr(order, "shipment", None)
    return (shipment.awb if shipment is not None and shipment.awb else "") or order.manual_awb


def tracking_text(order: Order) -> str:
    """The order's status, with the courier and waybill once shipped."""
    with translation.override("id"):
        status = str(Order.Status(order.status).label)
    line = f"Pesanan {order.number}: {status}"
    awb = _awb(order)
    if awb:
        shipment = getattr(order, "shipment", None)
        courier = shipment.courier.upper() if shipment is not None else ""
        line += f"\nResi {courier} {awb}".replace("  ", " ")
    return line


# A reply that says "sudah dikirim, resi {resi}" is only true of an order that left with a waybill.
_SENT = (Order.Status.SHIPPED, Order.Status.DELIVERED, Order.Status.COMPLETED)
_DEAD = (Order.Status.CANCELLED, Order.Status.EXPIRED, Order.Status.REFUNDED)


def canned_order(template: str, orders: Sequence[Order]) -> tuple[Order | None, str]:
    """The order a canned reply is about, from the buyer's `orders` (newest first):
    with `{resi}` the newest shipped/delivered order that has a waybill; with only `{total}`
    the newest order awaiting payment, else the newest live (not cancelled/expired/refunded)
    one. Returns `(order, "")`, `(None, "")` when the reply uses neither variable, or
    `(None, reason)` with reason "no_shipped_order" / "no_order" when no order makes it true."""
    if "{resi}" in template:
        for order in orders:
            if order.status in _SENT and _awb(order):
                return order, ""
        return None, "no_shipped_order"
    if "{total}" in template:
        pending = [o for o in orders if o.status == Order.Status.PENDING_PAYMENT]
        live = pending or [o for o in orders if o.status not in _DEAD]
        return (live[0], "") if live else (None, "no_order")
    return None, ""


def render_canned(
    template: str, *, name: str = "", orders: Sequence[Order] = (), store_name: str = ""
) -> tuple[str | None, str]:
    """A canned reply with its variables filled for one buyer: `{nama}` her name ("Kak" when
    unknown), `{toko}` the store's name, `{resi}`/`{total}` from the order `canned_order` picks
    among her `orders` (newest first). Returns `(text, "")`, or `(None, reason)` when a variable
    has no true value (never a sentence with "-" in it). Other braces stay."""
    order, reason = canned_order(template, orders)
    if reason:
        return None, reason
    values = {
        "nama": name or "Kak",
        "toko": store_name or "Kak",
        "total": format_rupiah(order.total) if order is not None else "",
        "resi": _awb(order) if order is not None else "",
    }
    return _VARIABLE.sub(lambda m: values[m.group(1)], template), ""
