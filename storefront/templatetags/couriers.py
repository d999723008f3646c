"""Courier display: names as buyers know them, services, delivery estimates."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import ngettext

from shipping.models import COURIERS

register = template.Library()

_RANGE = re.compile(r"^\s*(\d+)\s*(?:[-–—]|s/?d|sampai)?\s*(\d+)?")


@register.filter
def courier_name(code: str) -> str:
    """`jnt` -> "J&T Express"; an unknown code shows upper-cased."""
    return COURIERS.get(str(code or "").lower(), str(code or "").upper())


@register.simple_tag
def courier_service(courier: str, service: str, service_name: str = "") -> str:
    """The service as printed beside the courier's name: "J&T EZ" under J&T Express reads
    "EZ", "JNE Reguler" under JNE reads "Reguler"; without a name, the service code."""
    name = (service_name or "").strip()
    if not name:
        return str(service or "")
    label = courier_name(courier)
    for prefix in (label, label.split()[0], str(courier or "")):
        if prefix and name.lower().startswith(prefix.lower() + " "):
            return name[len(prefix) + 1 :].strip()
    return name


@register.filter
def etd_days(value: str) -> str:
    """A courier's estimate as a person writes it: "1-2" -> "1–2 hari", "3-3" and "3" ->
    "3 hari", "2-1" -> "1–2 hari"; text without numbers passes through, empty stays empty."""
    text = str(value or "").strip()
    match = _RANGE.match(text)
    if not match:
        return text
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else low
    low, high = min(low, high), max(low, high)
    if low == high:
        return ngettext("%(days)s hari", "%(days)s hari", low) % {"days": low}
    return ngettext("%(low)s–%(high)s hari", "%(low)s–%(high)s hari", high) % {"low": low, "high": high}
