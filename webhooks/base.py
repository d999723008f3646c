"""One inbound-webhook base: parse → authenticate → store raw → dispatch → record outcome.

Each provider's handler lives beside its provider (`orders/payments/webhook.py`,
`shipping/providers/webhook.py`, …) and subclasses `WebhookHandler`:

    class MidtransWebhook(WebhookHandler):
        provider = "midtrans"
        def authenticate(self, request, raw, payload) -> bool: ...
        def dispatch(self, payload) -> WebhookResult: ...

Rules every webhook gets from here:
- bodies that are not strict UTF-8, or hold NUL bytes or lone surrogates, are refused (400)
  before anything is stored;
- JSON is parsed with a depth and size bound (`tokoblitar.parsing.json_loads_bounded`);
- an unauthenticated request leaves only a bounded record (source, size, reason; no body,
  no headers), so a flood of forged posts cannot fill the database;
- an authenticated request is stored raw (`ProviderNotification`) before it is applied, and
  its outcome and HTTP status are recorded on the same row;
- answers are the JSON envelope by default; a handler may answer plain text (the WhatsApp
  Cloud API verification echoes `hub.challenge`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from tokoblitar.api.client_ip import client_ip
from tokoblitar.api.errors import error_body, status_for
from tokoblitar.errors import DomainError, PermissionDenied, ValidationFailed
from tokoblitar.parsing import InputError, has_forbidden_chars, json_loads_bounded
from webhooks.models import ProviderNotification

KEPT_HEADERS = ("CONTENT_TYPE", "HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR")
MAX_WEBHOOK_BYTES = 1024 * 1024


@dataclass
class WebhookResult:
    """What a handler did: `outcome` for the log (≤ 40 chars), `data` for the answer."""

    outcome: str
    data: dict[str, Any] = field(default_factory=dict)
    status: int = 200


class WebhookRejected(DomainError):
    """Raised by a handler to refuse a request with a recorded outcome (e.g. "bad_signature")."""

    def __init__(self, outcome: str, error: DomainError):
        self.outcome = outcome
        self.error = error
        super().__init__(error.message, code=error.code)


class WebhookHandler(ABC):
    """Subclass per provider (it must implement `dispatch`); `as_view()` gives the Django view."""

    provider: ClassVar[str] = ""
    # Outcome recorded for a domain error class name (e.g. NotFound -> "unknown_order").
    outcome_for_error: ClassVar[dict[str, str]] = {}

    # --- hooks ----------------------------------------------------------------------

    def handle_get(self, request: HttpRequest) -> HttpResponse | None:
        """GET verification handshakes (WhatsApp's hub.challenge); None = 405."""
        return None

    def parse(self, raw: bytes) -> Any:
        """The payload; ValidationFailed when malformed. JSON by default."""
        try:
            return json_loads_bounded(raw)
        except (InputError, ValueError) as exc:
            raise ValidationFailed(_("Malformed webhook body"), code="malformed") from exc

    # What a failed authentication is recorded and answered as.
    auth_failure_outcome: ClassVar[str] = "bad_signature"
    auth_failure_message: ClassVar[str] = "Invalid signature"

    def authenticate_request(self, request: HttpRequest, raw: bytes) -> bool:
        """Authentication that needs no parsing (a bearer token, an HMAC header over the raw
        body); runs before the body is parsed. True by default."""
        return True

    def authenticate(self, request: HttpRequest, raw: bytes, payload: Any) -> bool:
        """Authentication that needs the parsed payload (a signature inside the JSON). True
        by default; every handler must override one of the two."""
        return True

    def describe(self, payload: Any) -> tuple[str, str]:
        """(reference, event type) for the log, e.g. ("TB-…", "settlement")."""
        return "", ""

    @abstractmethod
    def dispatch(self, payload: Any) -> WebhookResult:
        """Apply the payload through the provider's services."""

    def respond(self, result: WebhookResult) -> HttpResponse:
        return JsonResponse({"data": result.data, "error": None, "meta": {}}, status=result.status)

    # --- the fixed skeleton ---------------------------------------------------------

    def _reject(self, request: HttpRequest, raw: bytes, outcome: str, error: DomainError) -> HttpResponse:
        status = status_for(error)
        # Bounded: no body, no headers, so unauthenticated traffic cannot grow the table much.
        ProviderNotification.objects.create(
            provider=self.provider,
            remote_addr=client_ip(request),
            body="",
            size=len(raw),
            signature_valid=False if outcome in ("bad_signature", "bad_token") else None,
            outcome=outcome[:40],
            http_status=status,
        )
        return JsonResponse(error_body(error.message, fields=error.fields, code=error.code), status=status)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET":
            answer = self.handle_get(request)
            if answer is not None:
                return answer
        if request.method != "POST":
            return JsonResponse(error_body("Method not allowed", code="method_not_allowed"), status=405)
        raw = request.body
        if len(raw) > MAX_WEBHOOK_BYTES:
            return self._reject(request, raw, "too_large", ValidationFailed("Webhook body too large", code="too_large"))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return self._reject(request, raw, "malformed", ValidationFailed("Body is not UTF-8", code="malformed"))
        if has_forbidden_chars(text):
            return self._reject(request, raw, "malformed", ValidationFailed("NUL in body", code="malformed"))
        denied = PermissionDenied(self.auth_failure_message, code=self.auth_failure_outcome)
        if not self.authenticate_request(request, raw):
            return self._reject(request, raw, self.auth_failure_outcome, denied)
        try:
            payload = self.parse(raw)
        except ValidationFailed as exc:
            return self._reject(request, raw, "malformed", exc)
        if not self.authenticate(request, raw, payload):
            return self._reject(request, raw, self.auth_failure_outcome, denied)

        reference, event = self.describe(payload)
        log = ProviderNotification.objects.create(
            provider=self.provider,
            remote_addr=client_ip(request),
            headers={k: request.META[k] for k in KEPT_HEADERS if k in request.META},
            body=text,
            size=len(raw),
            signature_valid=True,
            reference=reference[:100],
            event=event[:40],
        )
        try:
            result = self.dispatch(payload)
        except WebhookRejected as exc:
            return self._finish(log, exc.outcome, status_for(exc.error), error=exc.error)
        except DomainError as exc:
            outcome = self.outcome_for_error.get(type(exc).__name__) or exc.code
            return self._finish(log, outcome, status_for(exc), error=exc)
        log.outcome, log.http_status = result.outcome[:40], result.status
        log.save(update_fields=["outcome", "http_status"])
        return self.respond(result)

    def _finish(self, log: ProviderNotification, outcome: str, status: int, *, error: DomainError) -> HttpResponse:
        log.outcome, log.http_status = outcome[:40], status
        log.save(update_fields=["outcome", "http_status"])
        return JsonResponse(
            error_body(error.message, fields=error.fields, meta=error.meta, code=error.code), status=status
        )

    @classmethod
    def as_view(cls) -> Any:
        def view(request: HttpRequest) -> HttpResponse:
            return cls()(request)

        view.__name__ = f"{cls.__name__}View"
        view.__doc__ = cls.__doc__
        return csrf_exempt(view)
