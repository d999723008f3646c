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


# transaction_status values whose status_code may legitimately differ (Midtrans sends 200 or
# 201 for some of them depending on the payment type); every other pair must match exactly.
ALLOWED_STATUS_CODES = {status: {code} for status, code in STATUS_CODES.items()}
ALLOWED_STATUS_CODES["cancel"] = {"200", "202"}


def status_code_matches(transaction_status: str, status_code: str) -> bool:
    """Whether a notification's status_code fits its transaction_status (Midtrans "HTTP(s)
    notification" docs: settlement/capture 200, pending 201, deny/failure 202, expire 407).
    The signature does not cover transaction_status, so this check is what stops a signed
    pending notification from being replayed as a settlement."""
    return status_code in ALLOWED_STATUS_CODES.get(transaction_status, set())


class PaymentProvider(Protocol):
    name: str

    def verify_notification(self, notification: dict) -> bool:
        """Whether the notification's signature_key is this provider's."""
        ...

    def confirm_notification(self, notification: dict) -> dict:
        """The provider's own word on the transaction a notification names:
        `{"transaction_status", "status_code", "gross_amount", "fraud_status"}`. Live Midtrans
        asks `GET /v2/{order_id}/status`; raises PaymentProviderError when it cannot."""
        ...

    def charge_qris(self, request: ChargeRequest) -> QrisCharge:
        """Open a QRIS payment; raises PaymentProviderError when the provider fails."""
        ...

    def cancel(self, order_ref: str) -> None:
        """Cancel a pending payment (best effort; raises PaymentProviderError)."""
        ...


def format_gross_amount(amount: int) -> str:
    """Midtrans sends gross_amount with two decimals: 25000 -> "25000.00"."""
    return f"{int(amount)}.00"


def notification_signature(*, order_id: str, status_code: str, gross_amount: str, key: str) -> str:
    """SHA512(order_id + status_code + gross_amount + server_key), hex: exactly what Midtrans
    sends as `signature_key` (Midtrans docs, "Verifying Notification Authenticity")."""
    payload = f"{order_id}{status_code}{gross_amount}{key}"
    return hashlib.sha512(payload.encode()).hexdigest()


def notification_signature_valid(notification: dict, *, key: str) -> bool:
    """Constant-time check of a notification's signature_key against `key` (missing fields
    or an empty key are simply invalid)."""
    parts = [notification.get(k) for k in ("order_id", "status_code", "gross_amount", "signature_key")]
    if not key or not all(isinstance(p, str) and p for p in parts):
        return False
    order_id, status_code, gross_amount, signature = parts
    expected = notification_signature(order_id=order_id, status_code=status_code, gross_amount=gross_amount, key=key)
    return hmac.compare_digest(expected.encode(), signature.lower().encode())
