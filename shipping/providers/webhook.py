"""`POST /api/webhooks/kiriminaja`: KiriminAja callbacks through the webhook base.

KiriminAja signs nothing: its push service sends `Authorization: Bearer <our API key>` and
`User-Agent: KiriminAja-Push-Services`, so the token is compared in constant time with the
active provider's key (the live API key, or this installation's simulator secret; bad or
missing → 403, nothing changes). The body is `{"method": "...", "data": [{order_id, awb, ...}]}`.
Answers 200 with one outcome per package (applied / duplicate / stale / unknown_shipment /
ignored / invalid: <reason>); 400 for a malformed body. Each package is applied on its own
(a bad package never rolls back the others). KiriminAja documents no retries, so a package
we do not know is answered 200 and kept in the raw log rather than bounced.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shipping.providers import get_shipping_provider
from shipping.services import shipment_callback_apply, shipment_callback_problem
from tokoblitar.errors import DomainError, ValidationFailed
from webhooks.base import WebhookHandler, WebhookResult

MAX_PACKAGES = 500


class KiriminAjaWebhook(WebhookHandler):
    provider = "kiriminaja"

    def parse(self, raw: bytes) -> dict:
        body = super().parse(raw)
        method = body.get("method") if isinstance(body, dict) else None
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(method, str) or not isinstance(data, list) or len(data) > MAX_PACKAGES:
            raise ValidationFailed(_("Callback needs a method and a data list"), code="malformed")
        if not all(isinstance(item, dict) for item in data):
            raise ValidationFailed(_("Every data item must be an object"), code="malformed")
        return body

    auth_failure_outcome = "bad_token"
    auth_failure_message = "Invalid token"

    def authenticate_request(self, request: HttpRequest, raw: bytes) -> bool:
        return get_shipping_provider().callback_token_valid(request.META.get("HTTP_AUTHORIZATION", ""))

    def describe(self, payload: dict) -> tuple[str, str]:
        reference = ",".join(str(i.get("order_id") or i.get("awb") or "") for i in payload["data"])
        return reference, payload["method"]

    def dispatch(self, payload: dict) -> WebhookResult:
        outcomes = [self._apply_one(payload["method"], item) for item in payload["data"]]
        summary = ",".join(sorted({o.split(":")[0] for o in outcomes})) or "empty"
        return WebhookResult(outcome=summary, data={"outcomes": outcomes})

    def _apply_one(self, method: str, item: dict) -> str:
        problem = shipment_callback_problem(item)
        if problem:
            return f"invalid: {problem}"
        try:
            with transaction.atomic():  # savepoint: one package's failure stays its own
                return shipment_callback_apply(method=method, item=item)
        except DomainError as exc:
            return f"invalid: {exc.code}"
