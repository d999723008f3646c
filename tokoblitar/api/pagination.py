"""Page/limit paging shared by every list route: meta = {page, limit, total}."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from rest_framework import serializers

MAX_LIMIT = 100


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


def paginate(queryset: QuerySet, *, page: int, limit: int) -> Page:
    """One COUNT and one SELECT, whatever the page."""
    total = queryset.count()
    offset = (page - 1) * limit
    items = list(queryset[offset : offset + limit]) if offset < total else []
    return Page(items=items, page=page, limit=limit, total=total)
