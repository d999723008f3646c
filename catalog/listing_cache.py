"""Micro-cache for the public product listing/search answers.

A busy listing is asked the same question many times a second; answering from a cache
for a few seconds turns most of those into one cache read. Freshness comes from a
version number bumped whenever a product, image, category or store row is saved or
deleted (admin edits and suspensions included), so those show up at once; stock
changes made by orders (guarded UPDATEs) may lag by at most PUBLIC_LISTING_CACHE_SECONDS,
which is fine because the cart and checkout always read live stock.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "catalog:listing-version"


def listing_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, None)
        version = cache.get(VERSION_KEY, 1)
    return version


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value invalidates old keys
        cache.set(VERSION_KEY, listing_version() + 1, None)


def listing_changed(**_: Any) -> None:
    """Signal receiver: invalidate now, and again after commit so a listing cached
    between the write and its commit cannot outlive the change."""
    _bump()
    transaction.on_commit(_bump)


def listing_cache_key(params: dict) -> str:
    digest = hashlib.sha1(repr(sorted(params.items())).encode(), usedforsecurity=False).hexdigest()
    return f"catalog:listing:{listing_version()}:{digest}"


def listing_cache_get(params: dict) -> tuple[str | None, dict | None]:
    if settings.PUBLIC_LISTING_CACHE_SECONDS <= 0:
        return None, None
    key = listing_cache_key(params)
    return key, cache.get(key)


def listing_cache_set(key: str | None, answer: dict) -> None:
    if key is not None:
        cache.set(key, answer, settings.PUBLIC_LISTING_CACHE_SECONDS)
