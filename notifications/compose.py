"""The words of every notification, rendered from its kind and JSON data in the active language.

One composer serves the bell, the list page and both parts of the email, so they can never say
different things. Python msgids are English (translated to Indonesian in locale/id); amounts are
`Rp 25.000`, times Asia/Jakarta ("1 Desember 2026, 14:05 WIB").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import Kind
from tokoblitar.money import format_rupiah

JAKARTA = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class Composed:
    """A rendered notification: `subject` (bell/list title, email subject), `lines` (paragraphs),
    `items` ((name, quantity) rows to pack or bought), `action` (button label) leading to `url`
    (absolute)."""

    subject: str
    lines: list[str] = field(default_factory=list)
    items: list[tuple[str, int]] = field(default_factory=list)
    action: str = ""
    url: str = ""


def absolute(path: str) -> str:
    """A site path as an absolute link (emails are read outside the site)."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


def jakarta_time(value: str | datetime | None) -> str:
    """An ISO time (or datetime) as "1 Desember 2026, 14:05 WIB" in the active language."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return ""
    local = moment.astimezone(JAKARTA)
    return f"{formats.date_format(local, 'j F Y')}, {local:%H:%M} WIB"


ALERT_SUBJECTS: dict[str, Promise] = {
    "low_stock": gettext_lazy("Low stock: %(product)s (%(stock)s left)"),
    "expiring": gettext_lazy("Order %(number)s is about to expire unpaid"),
    "unshipped": gettext_lazy("Order %(number)s is waiting to be shipped"),
    "booking_failed": gettext_lazy("Courier booking failed for order %(number)s"),
}


def _alert(data: dict) -> Composed:
    alert = data.get("alert", "")
    params = {
        "product": data.get("product", ""),
        "stock": data.get("stock", ""),
        "threshold": data.get("threshold", ""),
        "number": data.get("number", ""),
        "total": format_rupiah(data.get("total")),
        "deadline": jakarta_time(data.get("deadline")),
        "hours": data.get("hours", ""),
    }
    subject = str(ALERT_SUBJECTS.get(alert, gettext_lazy("Store alert"))) % params
    if alert == "low_stock":
        line = _("Restock %(product)s: only %(stock)s left (your alert threshold is %(threshold)s).") % params
        action = _("Update stock")
    elif alert == "expiring":
        line = _("The buyer has until %(deadline)s to pay %(total)s for order %(number)s.") % params
        action = _("Open the order")
    elif alert == "unshipped":
        line = _("Order %(number)s was paid more than %(hours)s hours ago and has not been shipped yet.") % params
        action = _("Ship the order")
    else:
        line = _("We could not book the courier for order %(number)s. Ship it by hand with an AWB.") % params
        action = _("Ship by hand")
    return Composed(subject=subject, lines=[line], action=action, url=absolute(data.get("url", "")))


# Why an order needs a refund although its status stayed (orders' `order.refund_needed`).
REFUND_REASONS = {
    "late_payment": gettext_lazy("The buyer paid order %(number)s after it had closed."),
    "stock_gone": gettext_lazy("The buyer paid order %(number)s, but its stock was already sold."),
    "partial_refund": gettext_lazy("Part of the payment of order %(number)s was refunded at the payment provider."),
    "parcel_returned": gettext_lazy("The parcel of order %(number)s came back to you."),
    "": gettext_lazy("The payment of order %(number)s must go back to the buyer."),
}


def compose(kind: str, data: dict) -> Composed:
    """Render one notification in the active language (callers wrap it in translation.override)."""
    if kind == Kind.SELLER_ALERT:
        return _alert(data)
    p = {
        "number": data.get("number", ""),
        "total": format_rupiah(data.get("total")),
        "store": data.get("store", ""),
        "buyer": data.get("buyer", ""),
        "courier": data.get("courier", ""),
        "awb": data.get("awb", ""),
        "pack_by": jakarta_time(data.get("pack_by")),
    }
    items = [(str(name), int(qty)) for name, qty in data.get("items", [])]
    url = absolute(data.get("url", ""))
    if kind == Kind.SELLER_ORDER_PAID:
        return Composed(
            subject=_("New paid order %(number)s: pack it by %(pack_by)s") % p,
            lines=[
                _("%(buyer)s paid %(total)s for order %(number)s. Pack these items:") % p,
                _("Courier: %(courier)s. Have the parcel packed by %(pack_by)s so it can be picked up.") % p,
            ],
            items=items,
            action=_("Open the order"),
            url=url,
        )
    if kind == Kind.SELLER_ORDER_CANCELLED:
        lines = [_("Order %(number)s (%(total)s) was cancelled and its stock returned.") % p]
        if data.get("needs_refund"):
            lines.append(_("The buyer had already paid: the money must be refunded."))
        return Composed(
            subject=_("Order %(number)s was cancelled") % p, lines=lines, action=_("Open the order"), url=url
        )
    if kind == Kind.SELLER_ORDER_REFUND:
        return Composed(
            subject=_("Order %(number)s was refunded") % p,
            lines=[_("The payment of %(total)s for order %(number)s went back to the buyer.") % p],
            action=_("Open the order"),
            url=url,
        )
    if kind == Kind.SELLER_REFUND_NEEDED:
        why = REFUND_REASONS.get(data.get("reason", ""), REFUND_REASONS[""])
        return Composed(
            subject=_("Order %(number)s needs a refund") % p,
            lines=[str(why) % p, _("Refund %(total)s to the buyer and mark the order in the dashboard.") % p],
            action=_("Open the order"),
            url=url,
        )
    if kind == Kind.BUYER_PAYMENT_RECEIVED:
        return Composed(
            subject=_("Payment received for order %(number)s") % p,
            lines=[_("We received your payment of %(total)s. %(store)s is packing your order:") % p],
            items=items,
            action=_("Track your order"),
            url=url,
        )
    if kind == Kind.BUYER_ORDER_SHIPPED:
        lines = [_("%(store)s shipped your order %(number)s with %(courier)s.") % p]
        if p["awb"]:
            lines.append(_("Tracking number (AWB): %(awb)s") % p)
        return Composed(
            subject=_("Your order %(number)s is on its way") % p, lines=lines, action=_("Track the parcel"), url=url
        )
    if kind == Kind.BUYER_ORDER_DELIVERED:
        return Composed(
            subject=_("Order %(number)s has arrived") % p,
            lines=[_("The courier delivered your order from %(store)s. Please confirm that you received it.") % p],
            action=_("Confirm receipt"),
            url=url,
        )
    if kind == Kind.BUYER_ORDER_EXPIRED:
        return Composed(
            subject=_("Order %(number)s expired") % p,
            lines=[
                _("The payment time for order %(number)s (%(total)s) ran out, so the order was cancelled.") % p,
                _("Still want it? Put the same items back in your cart with one tap."),
            ],
            items=items,
            action=_("Order again"),
            url=url,
        )
    return Composed(subject=str(kind))
