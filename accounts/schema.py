"""OpenAPI description of our token authentication (drf-spectacular extension)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Bearer <token>`: per-device django-rest-knox tokens."""

    target_class = "accounts.authentication.TokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Per-device API token from POST /api/auth/login; expires after a week unused.",
        }
