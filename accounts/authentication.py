"""API token authentication: django-rest-knox, one query per request.

knox's own `_cleanup_token` loads every token of the user on every request to delete the
expired ones; here only the presented token is checked (an expired one is deleted and
refused), and expired tokens of other devices are purged by the periodic reconcile
(`accounts.services.tokens_purge_expired`)."""

from __future__ import annotations

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken


class TokenAuthentication(KnoxTokenAuthentication):
    """`Authorization: Bearer <token>` (knox AUTH_HEADER_PREFIX), per-device, expiring."""

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False
