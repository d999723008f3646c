"""DRF parsers that refuse what would otherwise reach a 500 (see tokoblitar/parsing.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from tokoblitar.parsing import JSONInputError, json_loads_bounded


class BoundedJSONParser(JSONParser):
    """`application/json` through `json_loads_bounded`: depth-limited, no NUL/lone surrogates.

    Raises `ParseError` (400 in the envelope). The body is at most
    `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes here: the ASGI edge refuses larger ones before
    they are read (tokoblitar/edge.py).
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            raise ParseError(f"Request body too large (limit {limit} bytes)")
        if not raw:
            raise ParseError("JSON parse error - empty body")
        try:
            return json_loads_bounded(raw)
        except JSONInputError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
