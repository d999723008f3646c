"""Why a channel order needs the seller's attention, stored as a code with parameters and
rendered in the reader's language (like orders/causes.py). The English sentence is still
kept in `ChannelOrder.attention_reason` for the admin and logs."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# code -> sentence with %(name)s parameters. Codes are stable: they are stored in rows.
MESSAGES: dict[str, Promise] = {
    "unknown_items": _("Unknown item(s) on %(platform)s: %(items)s"),
    "not_enough_stock": _("Not enough stock: %(product)s"),
    "not_for_sale": _("Not for sale in your store (archived, draft or deleted): %(product)s"),
}


def english(code: str, params: dict[str, Any]) -> str:
    """The English sentence (stored beside the code for the admin and logs)."""
    with translation.override("en"):
        return attention_text(code, params)


def attention_text(code: str, params: dict[str, Any], fallback: str = "") -> str:
    """The sentence for `code` in the active language; `fallback` (the stored English text)
    for rows written before codes existed or an unknown code."""
    message = MESSAGES.get(code)
    if message is None:
        return fallback
    try:
        return str(message) % {k: str(v) for k, v in (params or {}).items()}
    except (KeyError, TypeError, ValueError):
        return fallback or str(message)
