"""System check: with DEBUG off, emails printed to the console reach nobody."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register


@register("notifications", deploy=True)
def email_backend_configured(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if not settings.DEBUG and settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        return [
            Warning(
                "Emails are printed to the console: order notifications reach nobody.",
                hint="Set RESEND_API_KEY or EMAIL_URL.",
                id="notifications.W001",
            )
        ]
    return []
