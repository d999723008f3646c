"""Input serializers that accept exactly the fields they declare.

A write route's input serializer is the list of fields its role may write. DRF ignores
fields it does not declare, so a client that sends `featured: true` to a seller route
gets a 201 and believes it worked; or, where a serializer passes its data on
wholesale, it does work. `StrictInputSerializer` answers 400 naming every field the
route does not accept (`{"error": "Invalid input: featured", "meta": {"fields":
{"featured": ["This field cannot be written here."]}}}`), so mass assignment is refused
loudly and the contract is the serializer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

NOT_WRITABLE = "This field cannot be written here."


def writable_fields(serializer: serializers.Serializer) -> set[str]:
    """Names a client may send to this serializer (declared, not read-only)."""
    return {name for name, field in serializer.fields.items() if not field.read_only}


class StrictInputSerializer(serializers.Serializer):
    """Refuses (400, per field) any key in the input that is not a writable declared field.

    Raises `serializers.ValidationError({name: [NOT_WRITABLE]})` from `is_valid`.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data.keys() if key not in writable_fields(self))
            if unknown:
                raise serializers.ValidationError({name: [NOT_WRITABLE] for name in unknown})
        return super().to_internal_value(data)
