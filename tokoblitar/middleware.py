"""Store subdomains: `<slug>.<STORE_DOMAIN>` serves that store's page at `/`.

Only the host is inspected here (no query): the store page itself answers 404 for an
unknown or suspended slug, with the same styled page as any other missing page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.module_loading import import_string

# Subdomains that are the platform itself, never a store.
RESERVED_SUBDOMAINS = frozenset({"www", "api", "admin", "static", "media", "app", "dashboard"})
SUBDOMAIN_URLCONF = "storefront.subdomain_urls"


def store_slug_from_host(host: str, domain: str) -> str | None:
    host = host.split(":", 1)[0].lower().rstrip(".")
    suffix = "." + domain.lower()
    if not domain or not host.endswith(suffix):
        return None
    slug = host[: -len(suffix)]
    if not slug or "." in slug or slug in RESERVED_SUBDOMAINS:
        return None
    return slug


def store_moved_url(request: HttpRequest, slug: str) -> str:
    """The same address on the store subdomain `slug` (scheme, port, path and query kept)."""
    host = request.get_host()
    port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
    netloc = f"{slug}.{settings.STORE_DOMAIN}" + (f":{port}" if port else "")
    return f"{request.scheme}://{netloc}{request.get_full_path()}"


class StoreSubdomainMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        slug = store_slug_from_host(request.get_host(), settings.STORE_DOMAIN)
        if slug is not None:
            request.store_slug = slug
            # The rest of the site (product pages, cart, static) keeps working on the subdomain.
            request.urlconf = SUBDOMAIN_URLCONF
        response = self.get_response(request)
        if slug is not None and response.status_code == 404:
            # An old store address (the store changed its slug): 301 to the same path on the
            # new subdomain. The lookup lives in the stores layer, named by a setting, and runs
            # only on a miss.
            moved_to = import_string(settings.STORE_SLUG_REDIRECT)(slug=slug)
            if moved_to and moved_to != slug:
                return HttpResponsePermanentRedirect(store_moved_url(request, moved_to))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """On a store subdomain a missing store or page is our own styled 404, also with
        DEBUG on (`make run`): the address is one a buyer typed or was sent, never a
        developer's typo to debug."""
        if getattr(request, "store_slug", None) is None:
            return None
        from tokoblitar.errors import NotFound

        if isinstance(exception, Http404 | NotFound):
            from tokoblitar.api.handlers import handler404

            return handler404(request, exception)
        return None


class SiteLocaleMiddleware(LocaleMiddleware):
    """Bahasa Indonesia unless the visitor chose otherwise with the language switch.

    Django's LocaleMiddleware also follows the browser's Accept-Language; many phones in
    Blitar are set to English, yet the site is Indonesian first. Only the language cookie
    (set by /i18n/setlang/) changes it.

    The JSON API is a developer contract: its messages are English unless the client asks
    for Indonesian with `Accept-Language: id` (clients switch on `meta.code`, not on text)."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            wanted = translation.get_language_from_request(request, check_path=False)
            asked = (request.headers.get("Accept-Language") or "").strip()
            translation.activate(wanted if asked and wanted in ("id", "en") else "en")
            request.LANGUAGE_CODE = translation.get_language()
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
