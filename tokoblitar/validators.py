"""Validators for user-supplied URLs: one rule for every URL we store and render.

A URL typed by a seller or an admin ends up in `href`, `src` and `content` attributes.
Autoescaping stops it from leaving the attribute, but not from doing harm inside one:
browsers drop tabs and newlines from URLs (`/<TAB>/evil.example` becomes
`//evil.example`, another host), turn `\\` into `/`, and quotes or parentheses close a
CSS `url(...)`. So a URL we accept holds none of these anywhere, whatever the position:

- whitespace or control characters (ASCII and Unicode: tabs, newlines, NBSP, zero-width
  and bidi marks, any character of categories Cc, Cf, Zs, Zl, Zp);
- quotes `"` `'` `` ` ``, parentheses `(` `)`, angle brackets `<` `>`, backslash `\\`.

`validate_web_url`: an absolute http(s) URL with a host (Django's URLValidator on top).
`validate_site_link`: that, or a path on this site (`/cari/?q=kopi`, never `//host`).
Both raise `django.core.exceptions.ValidationError` (code `invalid_url`); `is_web_url`
and `is_site_link` answer True/False. Empty text is the caller's business (blank=True).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

MAX_URL_LENGTH = 500
_FORBIDDEN_ASCII = frozenset("\"'`()<>\\")
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
_django_http_url = URLValidator(schemes=["http", "https"])


def has_unsafe_url_chars(value: str) -> bool:
    """True when `value` holds whitespace, a control/format character, a quote, a
    parenthesis, an angle bracket or a backslash anywhere."""
    for char in value:
        if char in _FORBIDDEN_ASCII or char <= " " or char == "\x7f":
            return True
        if char > "\x7f" and unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            return True
    return False


def is_web_url(value: str) -> bool:
    """An absolute http(s) URL with a host and no unsafe characters (see module doc)."""
    if not isinstance(value, str) or not value or len(value) > MAX_URL_LENGTH or has_unsafe_url_chars(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return False
    try:
        _django_http_url(value)
    except ValidationError:
        return False
    return True


def is_site_link(value: str) -> bool:
    """`is_web_url`, or a path on this site: starts with one `/` (not `//`), no unsafe characters."""
    if not isinstance(value, str) or not value or len(value) > MAX_URL_LENGTH or has_unsafe_url_chars(value):
        return False
    if value.startswith("/"):
        return not value.startswith("//")
    return is_web_url(value)


def validate_web_url(value: str) -> None:
    """Django/DRF validator: refuses anything but a safe absolute http(s) URL (blank passes)."""
    if value and not is_web_url(value):
        raise ValidationError(
            _("Use a full http(s) URL without spaces, quotes, parentheses or backslashes."),
            code="invalid_url",
        )


def validate_site_link(value: str) -> None:
    """Django/DRF validator: a safe http(s) URL or a path on this site starting with `/` (blank passes)."""
    if value and not is_site_link(value):
        raise ValidationError(
            _("Use an http(s) URL or a path on this site starting with /, without spaces, quotes or parentheses."),
            code="invalid_url",
        )
