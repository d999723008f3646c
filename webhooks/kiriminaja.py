"""`POST /api/webhooks/kiriminaja`: store raw, check the bearer token, apply each package once.

KiriminAja signs nothing: its push service sends `Authorization: Bearer <our API key>` and
`User-Agent: KiriminAja-Push-Services`, so the token is compared in constant time (bad or
missing → 403, nothing changes). The body is `{"method": "...", "data": [{order_id, awb, ...}]}`.
Answers 200 with one outcome per package (applied / duplicate / stale / unknown_shipment /
ignored); 400 for a malformed body. KiriminAja documents no retries, so a package we do not
know is answered 200 and kept in the raw log rather than bounced.
"""

from __future__ import annotations

import json

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from shipping.providers.base import callback_token_valid
from shipping.services import shipment_callback_apply
from tokoblitar.api.client_ip import client_ip
from tokoblitar.api.errors import DomainError, Forbidden, ValidationFailed, envelope
from webhooks.models import ProviderNotification

KEPT_HEADERS = ("CONTENT_TYPE", "HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR")
MAX_PACKAGES = 500


class KiriminAjaWebhookApi(APIView):
    # The bearer token is the authentication; no session, so no CSRF.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={200: None})
    def post(self, request):
        raw = request._request.body
        log = ProviderNotification.objects.create(
            provider="kiriminaja",
            remote_addr=client_ip(request._request),
            headers={k: request.META[k] for k in KEPT_HEADERS if k in request.META},
            body=raw.decode("utf-8", errors="replace"),
        )
        try:
            outcomes = self._handle(request, raw, log)
        except DomainError as exc:
            log.outcome = log.outcome or type(exc).__name__
            log.http_status = exc.status_code
            log.save(update_fields=["outcome", "http_status", "signature_valid", "reference", "event"])
            raise
        log.outcome = ",".join(sorted(set(outcomes)))[:40] or "empty"
        log.http_status = 200
        log.save(update_fields=["outcome", "http_status", "signature_valid", "reference", "event"])
        return envelope({"outcomes": outcomes})

    def _handle(self, request, raw: bytes, log: ProviderNotification) -> list[str]:
        log.signature_valid = callback_token_valid(request.META.get("HTTP_AUTHORIZATION", ""))
        if not log.signature_valid:
            log.outcome = "bad_token"
            raise Forbidden("Invalid token")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            log.outcome = "malformed"
            raise ValidationFailed("Malformed callback body") from exc
        method = body.get("method") if isinstance(body, dict) else None
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(method, str) or not isinstance(data, list) or len(data) > MAX_PACKAGES:
            log.outcome = "malformed"
            raise ValidationFailed("Callback needs a method and a data list")
        if not all(isinstance(item, dict) for item in data):
            log.outcome = "malformed"
            raise ValidationFailed("Every data item must be an object")
        log.event = method[:40]
        log.reference = ",".join(str(i.get("order_id") or i.get("awb") or "") for i in data)[:100]
        return [shipment_callback_apply(method=method, item=item) for item in data]
