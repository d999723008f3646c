"""The payment provider seam: one Protocol, the live Midtrans client and the simulator.

Both implementations produce the same `QrisCharge` and both lead to the same signed
notification arriving at `/api/webhooks/midtrans`, so the webhook code is one path.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from django.conf import settings

# Used by the simulator (and therefore the webhook) when no MIDTRANS_SERVER_KEY is set.
# It only ever signs notifications that the local simulator sends to this same process.
DEV_SERVER_KEY = "SB-Mid-server-TOKOBLITAR-LOCAL-SIMULATOR"  # noqa: S105 - local development key, not a secret

# Midtrans status_code per transaction_status (the simulator answers like Midtrans does).
STATUS_CODES = {
    "capture": "200",
    "settlement": "200",
    "pending": "201",
    "deny": "202",
    "cancel": "200",
    "expire": "407",
    "failure": "202",
    "refund": "200",
    "partial_refund": "200",
}


class PaymentProviderError(Exception):
    """The provider could not be reached or refused the request; `provider` names it."""

    def __init__(self, provider: str, message: str):
        self.provider = provider
        super().__init__(message)


@dataclass(frozen=True)
class ChargeItem:
    id: str
    name: str
    price: int
    quantity: int


@dataclass(frozen=True)
class ChargeRequest:
    order_ref: str  # Midtrans order_id: our order number
    gross_amount: int
    expiry_minutes: int
    items: list[ChargeItem] = field(default_factory=list)
    customer_name: str = ""
    customer_email: str = ""
    customer_phone: str = ""


@dataclass(frozen=True)
class QrisCharge:
    provider: str
    transaction_id: str
    status: str
    qr_string: str
    expires_at: datetime
    raw: dict = field(default_factory=dict)


class PaymentProvider(Protocol):
    name: str

    def charge_qris(self, request: ChargeRequest) -> QrisCharge:
        """Open a QRIS payment; raises PaymentProviderError when the provider fails."""
        ...

    def cancel(self, order_ref: str) -> None:
        """Cancel a pending payment (best effort; raises PaymentProviderError)."""
        ...


def server_key() -> str:
    return settings.MIDTRANS_SERVER_KEY or DEV_SERVER_KEY


def format_gross_amount(amount: int) -> str:
    """Midtrans sends gross_amount with two decimals: 25000 -> "25000.00"."""
    return f"{int(amount)}.00"


def notification_signature(*, order_id: str, status_code: str, gross_amount: str, key: str | None = None) -> str:
    """sha512(order_id + status_code + gross_amount + server_key), hex: exactly what Midtrans sends."""
    payload = f"{order_id}{status_code}{gross_amount}{key if key is not None else server_key()}"
    return hashlib.sha512(payload.encode()).hexdigest()


def notification_signature_valid(notification: dict) -> bool:
    """Constant-time check of a notification's signature_key (missing fields are simply invalid)."""
    parts = [notification.get(k) for k in ("order_id", "status_code", "gross_amount", "signature_key")]
    if not all(isinstance(p, str) and p for p in parts):
        return False
    order_id, status_code, gross_amount, signature = parts
    expected = notification_signature(order_id=order_id, status_code=status_code, gross_amount=gross_amount)
    return hmac.compare_digest(expected.encode(), signature.lower().encode())
