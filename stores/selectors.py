"""Reads for stores."""

from __future__ import annotations

from accounts.models import User
from stores.models import Store
from tokoblitar.errors import NotFound


def store_get_for_seller(*, user: User) -> Store:
    """The seller's own store (every seller has exactly one)."""
    store = Store.objects.filter(owner=user).first()
    if store is None:
        raise NotFound("You do not have a store yet")
    return store
