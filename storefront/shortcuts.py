"""Small helpers shared by the page views (storefront and dashboard)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

PAGE_SIZE = 24


def safe_next(request: HttpRequest, candidate: str | None, default: str = "/") -> str:
    """Only same-site paths: `next` must never send a buyer to another host."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


class PageWindow:
    """One page of a queryset without COUNT(*): fetch limit+1 rows to know if more exist.

    A COUNT over 100k full-text matches costs more than the page itself. With `max_results`
    (public product lists: catalog.search.RESULT_WINDOW, as in the JSON API) only the first
    that many rows are paged through: no "next" link past them, and a page beyond them is
    empty without a query."""

    def __init__(self, qs: Any, *, page: int, size: int = PAGE_SIZE, max_results: int | None = None):
        self.page = max(1, page)
        self.size = size
        start = (self.page - 1) * size
        end = self.page * size + 1 if max_results is None else min(self.page * size + 1, max_results)
        rows = list(qs[start:end]) if start < end else []
        self.has_next = len(rows) > size
        self.items = rows[:size]
        self.has_previous = self.page > 1
        self.next_page = self.page + 1
        self.previous_page = self.page - 1
