"""The one place for the JSON envelope `{"data", "error", "meta"}` and error mapping.

Services raise the domain errors of `tokoblitar.errors` (never HTTP responses); this module
only maps them: the DRF exception handler and the Django-level handlers for /api/ turn every
failure into the envelope, with the error's stable code in `meta.code`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from tokoblitar.errors import (
    Conflict,
    DomainError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ProviderError,
    ValidationFailed,
)

# HTTP status per domain error class; the first match in MRO order wins.
STATUS_FOR: tuple[tuple[type[DomainError], int], ...] = (
    (ValidationFailed, 400),
    (NotAuthenticated, 401),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
    (ProviderError, 502),
)


def status_for(exc: DomainError) -> int:
    """The HTTP status the API answers a domain error with (400 when unmapped)."""
    for cls, status in STATUS_FOR:
        if isinstance(exc, cls):
            return status
    return 400


def envelope(data: Any = None, *, meta: dict | None = None, status: int = 200, headers: dict | None = None) -> Response:
    """A successful answer in the envelope."""
    return Response({"data": data, "error": None, "meta": meta or {}}, status=status, headers=headers)


def error_body(message: str, *, fields: dict | None = None, meta: dict | None = None, code: str | None = None) -> dict:
    body_meta = dict(meta or {})
    if code:
        body_meta["code"] = code
    if fields:
        body_meta["fields"] = fields
    return {"data": None, "error": message, "meta": body_meta}


def error_json(
    message: str, status: int, *, fields: dict | None = None, headers: dict | None = None, code: str | None = None
) -> JsonResponse:
    """The envelope for plain Django views and middleware (outside DRF)."""
    response = JsonResponse(error_body(message, fields=fields, code=code), status=status)
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _flatten_fields(detail: Any) -> dict[str, list[str]]:
    """DRF error detail -> {field: [messages]} with nested paths joined by dots."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            nested = _flatten_fields(value)
            if set(nested) == {"_"}:
                out[str(key)] = nested["_"]
            else:
                for sub, msgs in nested.items():
                    out[f"{key}.{sub}" if sub != "_" else str(key)] = msgs
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {"_": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            for sub, msgs in _flatten_fields(item).items():
                if msgs:
                    out[f"{index}.{sub}" if sub != "_" else str(index)] = msgs
        return out
    return {"_": [str(detail)]}


def _validation_message(fields: dict[str, list[str]]) -> str:
    if list(fields) == ["non_field_errors"] or list(fields) == ["_"]:
        return next(iter(fields.values()))[0]
    names = ", ".join(sorted(k for k in fields if k not in ("non_field_errors", "_")))
    return f"Invalid input: {names}" if names else "Invalid input"


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF EXCEPTION_HANDLER: every error leaves in the envelope."""
    headers: dict[str, str] = {}
    fields: dict | None = None
    meta: dict = {}
    code: str | None = None

    if isinstance(exc, DomainError):
        status, message, fields, meta, code = status_for(exc), exc.message, exc.fields, exc.meta, exc.code
    elif isinstance(exc, drf.ValidationError):
        fields = _flatten_fields(exc.detail)
        if "_" in fields:
            fields["non_field_errors"] = fields.pop("_")
        status, message, code = 400, _validation_message(fields), "invalid"
    elif isinstance(exc, drf.ParseError):
        status, message = 400, f"Malformed request body: {exc.detail}"
    elif isinstance(exc, drf.UnsupportedMediaType):
        status, message = 400, f"Unsupported content type: {exc.detail}"
    elif isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
        status, message = 401, str(exc.detail)
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    elif isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        status = 403
        message = str(getattr(exc, "detail", "")) or "You do not have permission to do this"
    elif isinstance(exc, drf.NotFound | Http404):
        status, message = 404, "Not found"
    elif isinstance(exc, drf.MethodNotAllowed):
        status, message = 405, str(exc.detail)
    elif isinstance(exc, drf.NotAcceptable):
        status, message = 406, str(exc.detail)
    elif isinstance(exc, drf.Throttled):
        status, message = 429, "Too many requests"
        if exc.wait:
            headers["Retry-After"] = str(int(exc.wait))
    elif isinstance(exc, RequestDataTooBig):
        status, message = 400, "Request body too large (limit 1 MB)"
    elif isinstance(exc, SuspiciousOperation):
        status, message = 400, "Bad request"
    elif isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        status, message = 400, _validation_message(fields)
    elif isinstance(exc, drf.APIException):
        status, message = exc.status_code, str(exc.detail)
    else:
        return None  # a real bug: let Django's 500 handler answer (in the envelope for /api/)

    set_rollback()
    if code is None:
        code = CODE_FOR_STATUS.get(status, "error")
    return Response(error_body(message, fields=fields, meta=meta, code=code), status=status, headers=headers)


CODE_FOR_STATUS = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    502: "provider_error",
}
