"""Page/limit paging shared by every list route: meta = {page, limit, total}."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from rest_framework import serializers

MAX_LIMIT = 100
# Totals this large are cached for a short while: counting ~100k rows on every request of a
# busy public listing costs more than the page itself, and "about 97,000 results" may lag a
# few seconds. Smaller totals are always exact.
CACHED_TOTAL_MIN = 1000


class PageParams(serializers.Serializer):
    """Query-string paging. Out-of-range values are rejected with a 400, never a 500."""

    page = serializers.IntegerField(min_value=1, max_value=100_000, default=1)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=20)


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    limit: int
    total: int

    @property
    def meta(self) -> dict:
        return {"page": self.page, "limit": self.limit, "total": self.total}


def _total(queryset: QuerySet, count_cache_key: str | None) -> int:
    if count_cache_key is None or settings.LARGE_TOTAL_CACHE_SECONDS <= 0:
        return queryset.count()
    cached = cache.get(count_cache_key)
    if cached is not None:
        return cached
    total = queryset.count()
    if total >= CACHED_TOTAL_MIN:
        cache.set(count_cache_key, total, settings.LARGE_TOTAL_CACHE_SECONDS)
    return total


def paginate(queryset: QuerySet, *, page: int, limit: int, count_cache_key: str | None = None) -> Page:
    """One COUNT (skipped while a large total is cached under `count_cache_key`) and one SELECT."""
    total = _total(queryset, count_cache_key)
    offset = (page - 1) * limit
    items = list(queryset[offset : offset + limit]) if offset < total else []
    return Page(items=items, page=page, limit=limit, total=total)
