"""Reads for promos."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from promos.models import Promo
from stores.models import Store
from tokoblitar.errors import NotFound


def promo_list_for_owner(*, store: Store | None) -> QuerySet[Promo]:
    """A store's promos, or the platform promos when store is None (newest first)."""
    qs = Promo.objects.alive().select_related("store")
    return qs.filter(store=store) if store is not None else qs.filter(store__isnull=True)


def promo_get_for_owner(*, promo_id: Any, store: Store | None) -> Promo:
    """The promo of this store (or a platform promo when store is None); 404 otherwise, never 403."""
    promo = promo_list_for_owner(store=store).filter(pk=promo_id).first()
    if promo is None:
        raise NotFound(_("Promo not found"), code="promo_not_found")
    return promo
