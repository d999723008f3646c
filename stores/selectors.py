"""Reads for stores."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from stores.models import Store
from tokoblitar.errors import NotFound


def store_get_for_seller(*, user: User) -> Store:
    """The seller's own store (every seller has exactly one)."""
    store = Store.objects.filter(owner=user).first()
    if store is None:
        raise NotFound(_("You do not have a store yet"), code="no_store")
    return store
