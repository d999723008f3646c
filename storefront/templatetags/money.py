"""The one place money becomes text: `{{ 25000|rupiah }}` -> `Rp 25.000`.

The formatting itself lives in tokoblitar/money.py (the admin uses it too)."""

from __future__ import annotations

from django import template

from tokoblitar.money import NBSP, format_rupiah

__all__ = ["NBSP", "format_rupiah", "rupiah"]

register = template.Library()


@register.filter(name="rupiah")
def rupiah(amount: int | str | None) -> str:
    return format_rupiah(amount)
