"""Domain errors: what a service says went wrong, with no HTTP and no page in sight.

Every error carries a stable machine `code` (`out_of_stock`, `promo_exhausted`,
`feature_disabled`, …) that clients may switch on, and a translatable message rendered in
the language active where it is read (the API answers English unless the client asks for
Indonesian; pages speak their own language). `fields` maps input names to messages for
forms and the envelope's `meta.fields`; `meta` carries extra machine facts
(`{"product_id": …, "available": 3}`).

The API module (`tokoblitar.api.errors`) maps these classes to HTTP statuses; pages map them
onto forms and flash messages through `tokoblitar.pages.domain_error_to_form` /
`domain_error_message`. Providers raise their own error types (`PaymentProviderError`,
`ShippingProviderError`, …); the service that calls a provider decides what a failure means
for the user and raises `ProviderError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Message = str | Promise


def _render(message: Message, params: Mapping[str, Any] | None) -> str:
    text = str(message)
    if params:
        try:
            return text % {k: str(v) for k, v in params.items()}
        except (KeyError, ValueError, TypeError):
            return text  # a bad translation must never turn an error into a crash
    return text


class DomainError(Exception):
    """Base of every error a service raises on purpose.

    Args:
        message: a (lazy) translatable string, optionally with `%(name)s` placeholders.
        code: stable machine code; defaults to the class's `default_code`.
        params: values for the placeholders, rendered when the message is read.
        fields: `{field: [message, ...]}` (messages may be lazy too).
        meta: extra JSON-safe facts for the client.
    """

    default_code = "invalid"
    default_message: Message = _("Invalid request")

    def __init__(
        self,
        message: Message | None = None,
        *,
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
        fields: Mapping[str, list[Message]] | None = None,
        meta: dict | None = None,
    ) -> None:
        self._message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.params = dict(params or {})
        self._fields = dict(fields) if fields else None
        self.meta = meta or {}
        super().__init__(self.code)

    @property
    def message(self) -> str:
        """The message in the active language."""
        return _render(self._message, self.params)

    @property
    def fields(self) -> dict[str, list[str]] | None:
        """Field errors in the active language, or None."""
        if not self._fields:
            return None
        return {
            name: [_render(m, self.params) for m in (msgs if isinstance(msgs, list | tuple) else [msgs])]
            for name, msgs in self._fields.items()
        }

    def __str__(self) -> str:
        return self.message


class ValidationFailed(DomainError):
    """The input breaks a rule (400)."""

    default_code = "invalid"
    default_message = _("Invalid input")


class NotAuthenticated(DomainError):
    """The caller must sign in first (401)."""

    default_code = "not_authenticated"
    default_message = _("Authentication required")


class PermissionDenied(DomainError):
    """The caller may not do this (403)."""

    default_code = "permission_denied"
    default_message = _("You do not have permission to do this")


class FeatureDisabled(PermissionDenied):
    """A per-store feature switch is off (403)."""

    default_code = "feature_disabled"
    default_message = _("This feature is switched off for the store")


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know it does (404)."""

    default_code = "not_found"
    default_message = _("Not found")


class Conflict(DomainError):
    """The request is valid but the current state refuses it (409)."""

    default_code = "conflict"
    default_message = _("Conflict")


class ProviderError(DomainError):
    """An external provider failed or refused; nothing half-written stays behind (502).

    `provider` names the provider ("Midtrans", "KiriminAja"); the message says what the user
    can do about it."""

    default_code = "provider_error"
    default_message = _("%(provider)s is unavailable, please try again")

    def __init__(self, provider: str, message: Message | None = None, **kwargs: Any) -> None:
        self.provider = provider
        # The provider's own technical reason, for logs and support; never sent to clients.
        self.reason = ""
        params = {"provider": provider, **(kwargs.pop("params", None) or {})}
        super().__init__(message, params=params, **kwargs)


# The old name of PermissionDenied, kept for callers that mean "forbidden".
Forbidden = PermissionDenied
