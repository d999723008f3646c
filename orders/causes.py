"""Why an order changed status, stored as a code with parameters and rendered in the reader's
language.

History rows used to keep an English sentence ("shipped by seller, AWB …"), which an Indonesian
page then showed as it was. Now every change records a `Cause`: a stable `code` plus the
`params` its sentence needs. `cause_text` renders it in the active language; the English
sentence is still written to `OrderStatusChange.cause` for the admin, logs and events.

Parameters that are themselves codes (a payment status, who cancelled, a courier callback)
are translated too; free text a person typed (a cancel reason, an AWB) is shown as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# code -> sentence with %(name)s parameters. Codes are stable: they are stored in rows.
MESSAGES: dict[str, Promise] = {
    "order_placed": _("Order placed"),
    "payment_received": _("Payment received (%(status)s)"),
    "payment_released": _("Payment %(status)s"),
    "payment_refunded": _("Payment refunded"),
    "partial_refund": _("Partial refund recorded (%(amount)s); check the order"),
    "late_payment_restocked": _("Payment arrived late (%(status)s); stock reserved again"),
    "late_payment_promo_kept": _(
        "Payment arrived late (%(status)s); stock reserved again; the promo was used up, the price is kept"
    ),
    "late_payment_needs_refund": _("Payment arrived late (%(status)s); needs a refund"),
    "paid_without_stock": _("Payment arrived (%(status)s) but the stock is gone; needs a refund"),
    "parcel_returned": _("The parcel went back to the seller; the payment must be refunded"),
    "payment_window_passed": _("Payment window passed"),
    "seller_processing": _("Seller is processing the order"),
    "shipped_by_seller": _("Shipped by the seller, AWB %(awb)s"),
    "cancelled": _("Cancelled by %(by)s: %(reason)s"),
    "buyer_confirmed": _("Buyer confirmed receipt"),
    "auto_completed": _("Completed automatically %(days)s days after delivery"),
    "courier_booked": _("%(provider)s: courier booked"),
    "courier_update": _("%(provider)s: %(update)s"),
}

# Parameter values that are codes, each translated where it is shown.
PAYMENT_STATUSES: dict[str, Promise] = {
    "settlement": _("settlement"),
    "capture": _("capture"),
    "deny": _("denied"),
    "cancel": _("cancelled"),
    "expire": _("expired"),
    "failure": _("failed"),
    "refund": _("refunded"),
}
ACTORS: dict[str, Promise] = {"seller": _("the seller"), "buyer": _("the buyer"), "admin": _("an admin")}
# KiriminAja callback methods (providers.md: KiriminAja webhook `method`).
COURIER_UPDATES: dict[str, Promise] = {
    "processed_packages": _("parcel picked up"),
    "shipped_packages": _("parcel on its way"),
    "finished_packages": _("parcel delivered"),
    "canceled_packages": _("shipment cancelled"),
    "returned_packages": _("parcel returned"),
}
_TRANSLATED_PARAMS: dict[str, dict[str, Promise]] = {
    "status": PAYMENT_STATUSES,
    "by": ACTORS,
    "update": COURIER_UPDATES,
}


@dataclass(frozen=True)
class Cause:
    """Why a status changed: `code` (a key of MESSAGES) and its `params` (JSON-safe values)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """The sentence in the active language."""
        return cause_render(self.code, self.params, fallback=self.code)

    def english(self) -> str:
        """The sentence in English, at most 200 characters (what `OrderStatusChange.cause` keeps)."""
        with translation.override("en"):
            return self.text()[:200]


def cause_render(code: str, params: dict[str, Any] | None, *, fallback: str) -> str:
    """The cause sentence in the active language; `fallback` (the stored English text) for a
    code this version does not know (rows written before causes had codes)."""
    message = MESSAGES.get(code)
    if message is None:
        return fallback
    values = {}
    for name, value in (params or {}).items():
        table = _TRANSLATED_PARAMS.get(name, {})
        values[name] = str(table[value]) if value in table else value
    try:
        return str(message) % values
    except (KeyError, TypeError, ValueError):
        return fallback
