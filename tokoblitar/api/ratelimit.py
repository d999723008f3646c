"""Rate limits for every /api/ route and every sign-in page, with django-ratelimit's counters
in Django's cache.

One middleware so no route can be forgotten. Buckets: every route that accepts a password
(API login/register, the login and register pages, the Django admin's login and password
change) shares one tight bucket per client (brute force): a credential submission is counted
whichever door it comes through. The AI chat is tight (cost), webhooks get a large bucket per
source, every other /api/ route shares the default. A limited API request gets the 429
envelope, a limited page the 429 page in the visitor's language; both carry Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from tokoblitar.api.errors import error_json

# Routes that accept a password, without the trailing slash. Only submissions count
# (a GET of the login page is free); the same bucket for all of them.
CREDENTIAL_PATHS = frozenset(
    {
        "/api/auth/login",
        "/api/auth/register",
        "/login",
        "/register",
        "/django-admin/login",
        "/django-admin/password_change",
        # Password change, account deletion (both check the current password) and the reset
        # request (an email per submission; tighter per address: storefront.account_forms).
        "/akun/kata-sandi",
        "/akun/hapus",
        "/akun/lupa-kata-sandi",
        "/api/account/delete",
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bucket_for(path: str, method: str = "POST") -> tuple[str, str] | None:
    """(group, rate) for a request path and method, or None when the request is not limited."""
    if method not in SAFE_METHODS and path.rstrip("/") in CREDENTIAL_PATHS:
        return "auth", settings.RATELIMIT_AUTH
    if not path.startswith("/api/"):
        return None
    if path.startswith("/api/ai/"):
        return "api-ai", settings.RATELIMIT_AI
    if path.startswith("/api/webhooks/") or path.rstrip("/") == "/api/webhook":
        return "api-webhook", settings.RATELIMIT_WEBHOOK
    return "api", settings.RATELIMIT_DEFAULT


def _too_many(request: HttpRequest, retry: int) -> HttpResponse:
    headers = {"Retry-After": str(retry)}
    if request.path.startswith("/api/"):
        return error_json("Too many requests", 429, headers=headers)
    # The locale middleware ran before this one: the page speaks the visitor's language.
    response = render(request, "errors/429.html", {"retry_after": retry}, status=429)
    response["Retry-After"] = str(retry)
    return response


class RateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bucket = bucket_for(request.path, request.method or "GET") if settings.RATELIMIT_ENABLE else None
        if bucket is not None:
            group, rate = bucket
            usage = get_usage(
                request, group=group, key="tokoblitar.api.client_ip.ratelimit_key", rate=rate, increment=True
            )
            if usage and usage["should_limit"]:
                return _too_many(request, max(1, int(usage["time_left"])))
        return self.get_response(request)
