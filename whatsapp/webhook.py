"""The WhatsApp webhooks, through the webhook base (signature first, raw row stored, then applied).

- `GET|POST /api/webhook` (the seed's route): WhatsApp Cloud API. GET answers `hub.challenge`
  as plain text when `hub.mode=subscribe` and `hub.verify_token` matches, else 403 `{error}`.
  POST is verified with `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the app secret)
  before it is parsed: 401 when the header is missing, 403 when it does not match (as pywa).
- `POST /api/webhooks/waha`: the QR gateway (WAHA or the simulator), verified with
  `X-Webhook-Hmac` (hex HMAC-SHA512 of the raw body with the session's HMAC key).

Both answer the seed's `{"success": true}` (plus the outcome) once applied; retried and
duplicated deliveries are applied once (messages are unique per provider id).
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

from tokoblitar.errors import ValidationFailed
from webhooks.base import WebhookHandler, WebhookResult
from whatsapp.gateways import get_whatsapp_gateway
from whatsapp.gateways.base import meta_signature_valid
from whatsapp.services import cloud_webhook_apply, waha_event_apply


class _SeedAnswer(WebhookHandler):
    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = super().__call__(request)
        # The base answers refusals in the envelope; the seed's routes answer `{error}` + status.
        if response.status_code >= 400 and response.get("Content-Type", "").startswith("application/json"):
            body = json.loads(response.content)
            if isinstance(body, dict) and "meta" in body:
                seed = {"error": body.get("error") or "Error", "code": (body.get("meta") or {}).get("code", "error")}
                return JsonResponse(seed, status=response.status_code)
        return response

    def parse(self, raw: bytes) -> dict:
        payload = super().parse(raw)
        if not isinstance(payload, dict):
            raise ValidationFailed(_("Malformed webhook body"), code="malformed")
        return payload

    def respond(self, result: WebhookResult) -> HttpResponse:
        return JsonResponse({"success": True, **result.data}, status=result.status)


class CloudApiWebhook(_SeedAnswer):
    provider = "whatsapp_cloud"

    def handle_get(self, request: HttpRequest) -> HttpResponse | None:
        expected = settings.WHATSAPP_CLOUD_VERIFY_TOKEN
        token = request.GET.get("hub.verify_token", "")
        if (
            request.GET.get("hub.mode") == "subscribe"
            and expected
            and hmac.compare_digest(token.encode(), expected.encode())
        ):
            return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
        return JsonResponse({"error": "Verification failed"}, status=403)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # pywa's answers: a POST without the header is 401, a wrong signature 403.
        if request.method == "POST" and not request.headers.get("X-Hub-Signature-256"):
            return JsonResponse({"error": "Missing X-Hub-Signature-256"}, status=401)
        return super().__call__(request)

    def authenticate_request(self, request: HttpRequest, raw: bytes) -> bool:
        return meta_signature_valid(
            settings.WHATSAPP_CLOUD_APP_SECRET, raw, request.headers.get("X-Hub-Signature-256", "")
        )

    def describe(self, payload: dict) -> tuple[str, str]:
        return str(payload.get("object") or ""), "cloud"

    def dispatch(self, payload: dict[str, Any]) -> WebhookResult:
        outcome = cloud_webhook_apply(payload=payload)
        return WebhookResult(outcome=outcome, data={"outcome": outcome})


class WahaWebhook(_SeedAnswer):
    provider = "waha"

    def authenticate_request(self, request: HttpRequest, raw: bytes) -> bool:
        gateway = get_whatsapp_gateway()
        if gateway.name == "cloud":
            return False  # no QR gateway configured: nobody may post here
        return gateway.verify_webhook({"X-Webhook-Hmac": request.headers.get("X-Webhook-Hmac", "")}, raw)

    def describe(self, payload: dict) -> tuple[str, str]:
        return str(payload.get("id") or ""), str(payload.get("event") or "")

    def dispatch(self, payload: dict[str, Any]) -> WebhookResult:
        outcome = waha_event_apply(event=payload)
        return WebhookResult(outcome=outcome, data={"outcome": outcome})
