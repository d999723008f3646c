"""`POST /api/webhooks/midtrans`: store raw, verify signature, apply once.

Answers: 200 applied / duplicate / ignored; 400 malformed body or gross_amount mismatch; 403 bad or
missing signature (nothing changes); 404 unknown order. An unknown order is answered 404, not 200:
we create the order before opening the charge, so a notification for an order we never had points
at a misrouted or forged notification, or a charge whose creation we rolled back; Midtrans then
retries and shows the failed delivery on its dashboard, which is where an operator should see it.
The raw row keeps the body either way.
"""

from __future__ import annotations

import json

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from orders.payments.base import notification_signature_valid
from orders.services import payment_notification_apply
from tokoblitar.api.client_ip import client_ip
from tokoblitar.api.errors import DomainError, Forbidden, ValidationFailed, envelope
from webhooks.models import ProviderNotification

OUTCOME_FOR_ERROR = {"NotFound": "unknown_order", "ValidationFailed": "amount_mismatch"}
KEPT_HEADERS = ("CONTENT_TYPE", "HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR")


class MidtransWebhookApi(APIView):
    # The signature is the authentication; no session, so no CSRF.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={200: None})
    def post(self, request):
        raw = request._request.body  # the exact bytes, before any parsing
        log = ProviderNotification.objects.create(
            provider="midtrans",
            remote_addr=client_ip(request._request),
            headers={k: request.META[k] for k in KEPT_HEADERS if k in request.META},
            body=raw.decode("utf-8", errors="replace"),
        )
        try:
            outcome = self._handle(raw, log)
        except DomainError as exc:
            log.outcome = log.outcome or OUTCOME_FOR_ERROR.get(type(exc).__name__, type(exc).__name__)
            log.http_status = exc.status_code
            log.save(update_fields=["outcome", "http_status", "signature_valid", "reference", "event"])
            raise
        log.outcome, log.http_status = outcome, 200
        log.save(update_fields=["outcome", "http_status", "signature_valid", "reference", "event"])
        return envelope({"outcome": outcome})

    def _handle(self, raw: bytes, log: ProviderNotification) -> str:
        try:
            notification = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            log.outcome = "malformed"
            raise ValidationFailed("Malformed notification body") from exc
        if not isinstance(notification, dict):
            log.outcome = "malformed"
            raise ValidationFailed("Malformed notification body")
        log.reference = str(notification.get("order_id") or "")[:100]
        log.event = str(notification.get("transaction_status") or "")[:40]
        log.signature_valid = notification_signature_valid(notification)
        if not log.signature_valid:
            log.outcome = "bad_signature"
            raise Forbidden("Invalid signature")
        return payment_notification_apply(notification=notification)
