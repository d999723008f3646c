"""The one clock of the Instagram app: services, tasks and the simulated Graph API read it.

`now()` is the wall clock plus `offset`, which stays zero in production. Tests move time with
`advance()` (a container becoming FINISHED, a 24 h expiry, a token old enough to refresh, the
quota window rolling) instead of sleeping; the live client against a fake server takes its
own `now` callable instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

_offset = timedelta(0)


def now() -> datetime:
    """Aware UTC datetime: timezone.now() plus the test offset (zero in production)."""
    return timezone.now() + _offset


def advance(**delta: float) -> None:
    """Move the clock forward by `timedelta(**delta)` (tests and demos only)."""
    global _offset
    _offset += timedelta(**delta)


def reset() -> None:
    global _offset
    _offset = timedelta(0)
