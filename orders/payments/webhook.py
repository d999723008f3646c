"""`POST /api/webhooks/midtrans`: Midtrans HTTP notifications through the webhook base.

Answers: 200 applied / duplicate / ignored; 400 malformed body, a status_code that does not
fit the transaction_status, or gross_amount mismatch; 403 bad or missing signature (nothing
changes, only a bounded record is kept); 404 unknown order; 502 when live Midtrans cannot
confirm the notification (Midtrans retries). An unknown order is answered 404, not 200: we
create the order before opening the charge, so a notification for an order we never had
points at a misrouted or forged notification, or a charge whose creation we rolled back;
Midtrans then retries and shows the failed delivery on its dashboard, which is where an
operator should see it.

In live mode every notification is confirmed with Midtrans' status API before it is applied
(the signature covers order_id, status_code and gross_amount, not transaction_status).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from orders.payments import get_payment_provider, payment_mode
from orders.payments.base import PaymentProviderError
from orders.services import payment_notification_apply
from tokoblitar.errors import ProviderError, ValidationFailed
from webhooks.base import WebhookHandler, WebhookResult


class MidtransWebhook(WebhookHandler):
    provider = "midtrans"
    outcome_for_error = {"NotFound": "unknown_order"}

    def parse(self, raw: bytes) -> dict:
        payload = super().parse(raw)
        if not isinstance(payload, dict):
            raise ValidationFailed(_("Malformed notification body"), code="malformed")
        return payload

    def authenticate(self, request: HttpRequest, raw: bytes, payload: dict) -> bool:
        return get_payment_provider().verify_notification(payload)

    def describe(self, payload: dict) -> tuple[str, str]:
        return str(payload.get("order_id") or ""), str(payload.get("transaction_status") or "")

    def dispatch(self, payload: dict) -> WebhookResult:
        notification: dict[str, Any] = dict(payload)
        if payment_mode() == "midtrans":
            try:
                confirmed = get_payment_provider().confirm_notification(notification)
            except PaymentProviderError as exc:
                raise ProviderError(exc.provider, _("%(provider)s: %(reason)s"), params={"reason": str(exc)}) from exc
            if confirmed.get("gross_amount") and confirmed["gross_amount"] != notification.get("gross_amount"):
                raise ValidationFailed(_("gross_amount differs from Midtrans' record"), code="amount_mismatch")
            notification.update({k: v for k, v in confirmed.items() if v})
        outcome = payment_notification_apply(notification=notification)
        return WebhookResult(outcome=outcome, data={"outcome": outcome})
