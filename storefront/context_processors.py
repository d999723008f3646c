"""Values every page's header needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def storefront(request: HttpRequest) -> dict:
    def cart_count() -> int:
        # Lazy: only pages that render the header pay for the count.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from storefront.selectors import cart_count_for_buyer

            return cart_count_for_buyer(buyer=user)
        session = getattr(request, "session", None)
        return len(session.get("cart", {})) if session is not None else 0

    # On a store's subdomain "/" is that store: the TokoBLITAR logo leads to the marketplace.
    on_subdomain = getattr(request, "store_slug", None) is not None
    marketplace_url = settings.SITE_URL.rstrip("/") + "/" if on_subdomain else "/"
    return {"cart_count": cart_count, "STORE_DOMAIN": settings.STORE_DOMAIN, "MARKETPLACE_URL": marketplace_url}
