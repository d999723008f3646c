"""`POST /api/webhooks/replicate`: Replicate prediction webhooks through the webhook base.

The signature is checked on the raw body before parsing (`webhook-id`, `webhook-timestamp`,
`webhook-signature`; whsec_ secret; see photos.enhance.replicate). A delivery is applied once
per `webhook-id`; retries answer 200 "duplicate". Answers 200 for a prediction we do not know
(nothing to retry for), 403 for a bad or missing signature, 400 for a malformed body.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from photos.enhance import get_photo_enhancer
from photos.services import enhance_prediction_notified
from tokoblitar.errors import ValidationFailed
from webhooks.base import WebhookHandler, WebhookResult

HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


class ReplicateWebhook(WebhookHandler):
    provider = "replicate"

    def authenticate_request(self, request: HttpRequest, raw: bytes) -> bool:
        headers = {name: request.headers.get(name, "") for name in HEADERS}
        if not all(headers.values()):
            return False
        self.webhook_id = headers["webhook-id"]
        return get_photo_enhancer().verify_webhook(headers=headers, body=raw.decode("utf-8"))

    def parse(self, raw: bytes) -> dict:
        payload = super().parse(raw)
        if not isinstance(payload, dict) or not isinstance(payload.get("id"), str):
            raise ValidationFailed(_("Malformed webhook body"), code="malformed")
        return payload

    def describe(self, payload: dict) -> tuple[str, str]:
        return str(payload.get("id") or ""), str(payload.get("status") or "")

    def dispatch(self, payload: dict[str, Any]) -> WebhookResult:
        outcome = enhance_prediction_notified(webhook_id=self.webhook_id, prediction=payload)
        return WebhookResult(outcome=outcome, data={"outcome": outcome})
