"""Parsing text that came from outside: JSON bodies, numbers in query strings and forms.

Every JSON body we parse (DRF parser, webhook bodies) goes through `json_loads_bounded`,
and every number read from request text through `parse_int` / `parse_decimal`, so that
bad input answers 400 instead of reaching a 500:

- JSON nested deeper than `MAX_JSON_DEPTH` would overflow the C scanner's recursion
  (RecursionError, then a 500);
- NUL characters and lone UTF-16 surrogates (`"\\u0000"`, `"\\ud800"`) cannot be stored
  by Postgres (NUL) or encoded as UTF-8 (surrogates) and used to reach a 500 deep inside
  a service;
- `str.isdigit()` accepts `"²"` and `"٣"`, `int()` accepts `"٣"`, `" 3 "` and `"1_000"`:
  a number from a request means ASCII digits only, within stated bounds.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

# Deepest nesting of arrays/objects any of our JSON inputs needs is about 5; 32 leaves room.
MAX_JSON_DEPTH = 32

# Characters no stored text may contain: NUL (Postgres refuses it in text columns) and
# UTF-16 surrogate code points (only a lone `\ud800`-style escape can produce one: a valid
# pair is decoded into one astral character).
FORBIDDEN_TEXT_RE = re.compile("[\x00\ud800-\udfff]")

# JSON strings (with escapes), then the structural brackets left outside them.
_JSON_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET_RE = re.compile(r"[\[\]{}]")

_ASCII_INT_RE = re.compile(r"-?[0-9]+")
_ASCII_DECIMAL_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class InputError(ValueError):
    """Text from a request that we refuse; `str(error)` is safe to show to the client."""


class JSONInputError(InputError):
    """A JSON body that is malformed, too deep, or carries forbidden characters."""


def has_forbidden_chars(text: str) -> bool:
    """True when `text` holds a NUL or a lone surrogate (neither can be stored as UTF-8 text)."""
    return FORBIDDEN_TEXT_RE.search(text) is not None


def _json_depth_exceeds(text: str, max_depth: int) -> bool:
    """Nesting depth check without recursion: strings are blanked, brackets counted."""
    depth = 0
    for match in _JSON_BRACKET_RE.finditer(_JSON_STRING_RE.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def _check_strings(value: Any) -> None:
    # Depth is already bounded by MAX_JSON_DEPTH, so this recursion is too.
    if isinstance(value, str):
        if has_forbidden_chars(value):
            raise JSONInputError("Text must not contain NUL characters or lone surrogates")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)


def _refuse_constant(name: str) -> Any:
    raise JSONInputError(f"{name} is not valid JSON")


def json_loads_bounded(raw: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse a JSON document from a request.

    `raw`: UTF-8 bytes or text. Returns the decoded value (dict, list, str, int, float,
    bool or None). Raises `JSONInputError` (a `ValueError`) when the input is not UTF-8,
    not strict JSON (NaN/Infinity refused), nested deeper than `max_depth`
    arrays/objects, or holds a NUL or a lone surrogate in any string or key.
    """
    if isinstance(raw, bytes | bytearray | memoryview):
        try:
            text = bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONInputError("Body is not valid UTF-8") from exc
    else:
        text = raw
    if text.startswith("\ufeff"):
        text = text[1:]
    if _json_depth_exceeds(text, max_depth):
        raise JSONInputError(f"JSON nested deeper than {max_depth} levels")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except JSONInputError:
        raise
    except (ValueError, RecursionError) as exc:
        raise JSONInputError(f"Invalid JSON: {exc}") from exc
    _check_strings(value)
    return value


def parse_int(text: Any, *, min_value: int | None = None, max_value: int | None = None, name: str = "value") -> int:
    """Parse an integer from request text: optional `-`, then ASCII digits, nothing else.

    `text`: str (an int is accepted as is; bool and anything else are refused). Refuses
    spaces, `+`, `_`, non-ASCII digits (`"²"`, `"٣"`) and more than 18 digits. Raises
    `InputError` naming `name` when malformed or outside [`min_value`, `max_value`].
    """
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    elif isinstance(text, str) and len(text) <= 19 and _ASCII_INT_RE.fullmatch(text):
        value = int(text)
    else:
        raise InputError(f"{name} must be a whole number")
    if min_value is not None and value < min_value:
        raise InputError(f"{name} must be at least {min_value}")
    if max_value is not None and value > max_value:
        raise InputError(f"{name} must be at most {max_value}")
    return value


def parse_int_or_none(text: Any, *, min_value: int | None = None, max_value: int | None = None) -> int | None:
    """`parse_int`, but None instead of an error (for lenient filters that ignore bad input)."""
    try:
        return parse_int(text, min_value=min_value, max_value=max_value)
    except InputError:
        return None


def parse_decimal(
    text: Any, *, min_value: Decimal | None = None, max_value: Decimal | None = None, name: str = "value"
) -> Decimal:
    """Parse a plain decimal (`-12.5`, ASCII digits, at most 30 characters) from request text.

    No exponents, NaN, Infinity, spaces or non-ASCII digits. Raises `InputError`.
    """
    if not (isinstance(text, str) and len(text) <= 30 and _ASCII_DECIMAL_RE.fullmatch(text)):
        raise InputError(f"{name} must be a number")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # cannot happen after the regex; kept for safety
        raise InputError(f"{name} must be a number") from exc
    if min_value is not None and value < min_value:
        raise InputError(f"{name} must be at least {min_value}")
    if max_value is not None and value > max_value:
        raise InputError(f"{name} must be at most {max_value}")
    return value
