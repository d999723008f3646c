"""Page/limit paging shared by every list route: meta = {page, limit, total}."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tokoblitar.errors import ValidationFailed

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
    # False: the list has more than `total` rows (a capped count, `paginate(max_results=)`).
    total_exact: bool = True

    @property
    def meta(self) -> dict:
        """{page, limit, total}, plus `total_exact: false` when `total` is only a lower bound
        (SPEC's list meta is kept as is whenever the total is exact)."""
        meta = {"page": self.page, "limit": self.limit, "total": self.total}
        if not self.total_exact:
            meta["total_exact"] = False
        return meta


# An annotation a queryset may carry with the number of rows it has (each row repeats it:
# COUNT(*) OVER ()), e.g. catalog.search's relevance window: paginate reads it from the page
# instead of running a COUNT. A queryset whose `rows_carry_total` is true sets it on its rows
# another way (catalog.search.TextSearchQuerySet).
WINDOW_TOTAL = "window_total"


def _count(queryset: QuerySet, max_results: int | None) -> int:
    if max_results is None:
        return queryset.count()
    # A sliced count stops reading at max_results + 1 rows: SELECT COUNT(*) FROM (... LIMIT n),
    # without the ordering and annotations (a relevance rank), which do not change the number.
    return queryset.order_by().values("pk")[: max_results + 1].count()


def _total(queryset: QuerySet, count_cache_key: str | None, max_results: int | None) -> int:
    if count_cache_key is None or settings.LARGE_TOTAL_CACHE_SECONDS <= 0:
        return _count(queryset, max_results)
    cached = cache.get(count_cache_key)
    if cached is not None:
        return cached
    total = _count(queryset, max_results)
    if total >= CACHED_TOTAL_MIN:
        cache.set(count_cache_key, total, settings.LARGE_TOTAL_CACHE_SECONDS)
    return total


def paginate(
    queryset: QuerySet,
    *,
    page: int,
    limit: int,
    count_cache_key: str | None = None,
    max_results: int | None = None,
) -> Page:
    """One COUNT (skipped while a large total is cached under `count_cache_key`) and one SELECT.

    With `max_results` only the first `max_results` rows can be paged through: a page starting
    past them raises ValidationFailed (`page_out_of_range`, 400) before any query, and the
    COUNT stops at max_results + 1 rows, so a larger list answers total=max_results with
    total_exact=False ("1,000+") at the cost of a 1,000-row list, not of all its rows.
    """
    offset = (page - 1) * limit
    if max_results is not None and offset >= max_results:
        raise ValidationFailed(
            _("Only the first %(window)s results can be paged through; narrow the search or add a filter."),
            code="page_out_of_range",
            params={"window": max_results, "pages": -(-max_results // limit)},
            fields={"page": [_("At most %(pages)s pages of this size")]},
            meta={"max_results": max_results},
        )
    # The last page inside the window may be short: it stops at the window's edge.
    end = offset + limit if max_results is None else min(offset + limit, max_results)
    if getattr(queryset, "rows_carry_total", False) or WINDOW_TOTAL in queryset.query.annotations:
        items = list(queryset[offset:end])
        if items:
            total = getattr(items[0], WINDOW_TOTAL)
        else:
            # An empty first page is an empty list; past it, the rows cannot tell how many.
            total = 0 if offset == 0 else _count(queryset, max_results)
    else:
        total = _total(queryset, count_cache_key, max_results)
        items = list(queryset[offset:end]) if offset < total else []
    total_exact = max_results is None or total <= max_results
    if max_results is not None:
        total = min(total, max_results)
    return Page(items=items, page=page, limit=limit, total=total, total_exact=total_exact)
