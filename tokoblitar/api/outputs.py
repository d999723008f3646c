"""Output fields and shapes shared by several apps' API serializers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rest_framework import serializers


class IsoDateTimeField(serializers.DateTimeField):
    """A datetime as `value.isoformat()`, unconverted (the stored UTC offset, e.g. `+00:00`).

    DRF's DateTimeField converts to the active time zone and writes `Z`; routes whose answer
    was fixed before they had serializers keep their exact strings with this one. None → null.
    """

    def to_representation(self, value: datetime | str | None) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return value.isoformat()


class NullIfBlankCharField(serializers.CharField):
    """Text that answers null instead of "" (e.g. an order without a promo code)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        return str(value) if value not in (None, "") else None


class DeletedOutput(serializers.Serializer):
    """The answer of a DELETE: the id of what was deleted."""

    id = serializers.UUIDField()
