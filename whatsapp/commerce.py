"""Commerce in the chat: the texts of the quick actions (product card, QRIS payment link,
tracking status) and canned replies with variables (`{nama}`, `{toko}`, `{total}`, `{resi}`).

Texts go to buyers in Blitar, so they are Indonesian whatever the seller's page language.
Links are absolute (SITE_URL): the buyer opens them from WhatsApp.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from catalog.models import Product
from orders.models import Order
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


def payment_link_text(order: Order) -> str | None:
    """The QRIS payment page of a pending order; None when the order is not awaiting payment."""
    if order.status != Order.Status.PENDING_PAYMENT:
        return None
    url = _absolute(reverse("orders:pay", kwargs={"order_id": order.pk}))
    return f"Pesanan {order.number}, total {format_rupiah(order.total)}.\nBayar lewat QRIS di sini: {url}"


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


def render_canned(template: str, *, name: str = "", order: Order | None = None, store_name: str = "") -> str:
    """A canned reply with its variables filled: `{nama}` the buyer's name ("Kak" when unknown),
    `{toko}` the store's name, `{total}` the order total, `{resi}` its waybill; a variable
    without a value becomes "-". Other braces stay."""
    values = {
        "nama": name or "Kak",
        "toko": store_name or "-",
        "total": format_rupiah(order.total) if order is not None else "-",
        "resi": (_awb(order) or "-") if order is not None else "-",
    }
    return _VARIABLE.sub(lambda m: values[m.group(1)], template)
