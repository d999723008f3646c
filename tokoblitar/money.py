"""Money as text, for every layer: int rupiah -> "Rp 25.000".

"Rp" and the number are joined by a no-break space (U+00A0), so an amount never wraps across
two lines, in text, titles and attributes alike, without any markup around it. Pages use the
`rupiah` template filter (storefront/templatetags/money.py); the Django admin uses
`admin_money`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

NBSP = "\u00a0"


def format_rupiah(amount: int | str | None) -> str:
    """Int rupiah (or its digits as a string) -> "Rp 25.000" with a no-break space; "" for
    None, "" or anything that is not an integer; negatives as "-Rp 5.000"."""
    if amount is None or amount == "":
        return ""
    try:
        value = int(amount)
    except (TypeError, ValueError):
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}Rp{NBSP}{abs(value):,}".replace(",", ".")


def admin_money(field: str, label: str) -> Callable[[Any, Any], str]:
    """A Django admin column/read-only field showing model field `field` as "Rp 38.400",
    sortable by the field. Use as `total_rp = admin_money("total", _("total"))` in a
    ModelAdmin and list "total_rp" in list_display / readonly_fields."""
    from django.contrib import admin

    @admin.display(description=label, ordering=field)
    def show(self: Any, obj: Any) -> str:
        return format_rupiah(getattr(obj, field))

    return show
