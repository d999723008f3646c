"""Reads for stores."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from stores.models import Store, StoreSlugHistory
from tokoblitar.errors import NotFound


def store_get_for_seller(*, user: User) -> Store:
    """The seller's own store (every seller has exactly one)."""
    store = Store.objects.filter(owner=user).first()
    if store is None:
        raise NotFound(_("You do not have a store yet"), code="no_store")
    return store


def store_moved_to(*, slug: str) -> str | None:
    """The current slug of the visible store that used to answer at `slug`, else None.

    Used by the store page and the subdomain middleware (via settings.STORE_SLUG_REDIRECT)
    before answering 404: one indexed query, only on a miss."""
    return (
        StoreSlugHistory.objects.filter(slug=(slug or "").lower(), store__is_active=True)
        .values_list("store__slug", flat=True)
        .first()
    )
