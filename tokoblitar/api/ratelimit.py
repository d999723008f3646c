"""Rate limits for every /api/ route, with django-ratelimit's counters in Django's cache.

One middleware so no route can be forgotten. Buckets: login/register are tight
(brute force), the AI chat is tight (cost), webhooks get a large bucket per source,
everything else shares the default. A limited request gets the 429 envelope with
Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import get_usage

from tokoblitar.api.errors import error_json

AUTH_PATHS = ("/api/auth/login", "/api/auth/register")


def bucket_for(path: str) -> tuple[str, str]:
    """(group, rate) for an /api/ path."""
    if path.rstrip("/") in AUTH_PATHS:
        return "api-auth", settings.RATELIMIT_AUTH
    if path.startswith("/api/ai/"):
        return "api-ai", settings.RATELIMIT_AI
    if path.startswith("/api/webhooks/") or path.rstrip("/") == "/api/webhook":
        return "api-webhook", settings.RATELIMIT_WEBHOOK
    return "api", settings.RATELIMIT_DEFAULT


class ApiRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.RATELIMIT_ENABLE and request.path.startswith("/api/"):
            group, rate = bucket_for(request.path)
            usage = get_usage(
                request, group=group, key="tokoblitar.api.client_ip.ratelimit_key", rate=rate, increment=True
            )
            if usage and usage["should_limit"]:
                retry = max(1, int(usage["time_left"]))
                return error_json("Too many requests", 429, headers={"Retry-After": str(retry)})
        return self.get_response(request)
