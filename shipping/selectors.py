"""Shipping reads: districts, a store's settings, a shipment with its events."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Lower, Replace
from django.utils.translation import gettext_lazy as _

from orders.models import Order
from orders.selectors import order_get_for_buyer
from shipping.models import Area, Shipment, ShippingSettings
from stores.models import Store
from tokoblitar.errors import NotFound, ValidationFailed
from tokoblitar.parsing import parse_int_or_none

_PREFIX = re.compile(r"^\s*(kec(amatan)?\.?|kab(upaten)?\.?)\s+", re.IGNORECASE)


# What an order page needs of its shipment, for orders.selectors' `select`/`prefetch`.
SHIPMENT_SELECT = ("shipment",)
SHIPMENT_PREFETCH = ("shipment__events",)


def order_get_for_buyer_with_shipment(*, buyer: Any, order_id: Any) -> Order:
    """The buyer's order (404 for anyone else's) with its shipment and events loaded."""
    return order_get_for_buyer(buyer=buyer, order_id=order_id, select=SHIPMENT_SELECT, prefetch=SHIPMENT_PREFETCH)


def order_shipment(order: Order) -> Shipment | None:
    """The order's booked shipment, or None when nothing was booked."""
    try:
        return order.shipment
    except Shipment.DoesNotExist:
        return None


def _clean_name(value: str) -> str:
    return _PREFIX.sub("", value or "").strip()


def _squash(value: str) -> str:
    """ "Sanan Wetan", "sanan-wetan" and "SANANWETAN" all read "sananwetan"."""
    return re.sub(r"[\s\-.'’]+", "", value or "").lower()


def _squashed(field: str) -> Replace:
    # The same folding in SQL, so a name typed with spaces or another case still matches.
    expr = Lower(field)
    for char in (" ", "-", ".", "'"):
        expr = Replace(expr, Value(char), Value(""))
    return expr


def area_list(*, search: str = "", limit: int = 20) -> QuerySet[Area]:
    qs = Area.objects.all()
    for word in search.split()[:5]:
        qs = qs.filter(Q(name__icontains=word) | Q(city__icontains=word) | Q(postal_code=word))
    return qs.order_by("name", "city")[:limit]


def area_resolve(destination: Any, *, field: str = "destination") -> Area:
    """A district from an id (int or digits), a name ("Sananwetan" / "Sananwetan, Kota Blitar")
    or a shipping address dict ({district_id} or {district, city}). Unknown → ValidationFailed."""

    def fail(message: Any, code: str) -> ValidationFailed:
        return ValidationFailed(message, code=code, fields={field: [message]})

    required = _("Destination district is required")
    unknown = _("Unknown destination district")

    city = ""
    if isinstance(destination, dict) and field == "destination":
        field = "shipping_address.district"  # an order's address: name the field the buyer filled
    if isinstance(destination, dict):
        value = destination.get("district_id") or destination.get("area_id") or destination.get("district") or ""
        city = str(destination.get("city") or "")
    else:
        value = destination
    if isinstance(value, bool) or value is None:
        raise fail(required, "district_required")
    text = str(value).strip()
    if not text:
        raise fail(required, "district_required")
    if text.isdigit():
        # isdigit() also takes "²" and "٣": only ASCII digits name an area id.
        area_id = parse_int_or_none(text, min_value=1, max_value=999_999_999)
        if area_id is None:
            raise fail(unknown, "unknown_district")
        area = Area.objects.filter(pk=area_id).first()
        if area is None:
            raise fail(unknown, "unknown_district")
        return area
    name, _sep, rest = text.partition(",")
    city = city or rest
    matches = list(Area.objects.annotate(squashed=_squashed("name")).filter(squashed=_squash(_clean_name(name)))[:20])
    if len(matches) > 1 and city.strip():
        wanted = _squash(_clean_name(city.split(",")[0]))
        narrowed = [a for a in matches if wanted and wanted in _squash(a.city)]
        matches = narrowed or matches
    if not matches:
        raise fail(unknown, "unknown_district")
    if len(matches) > 1:
        raise fail(_("This district name exists in several cities; name the city too"), "ambiguous_district")
    return matches[0]


def shipping_settings_get(*, store: Store) -> ShippingSettings | None:
    return ShippingSettings.objects.select_related("origin_area").filter(store=store).first()


def shipment_get_for_order(*, order_id: Any) -> Shipment:
    shipment = Shipment.objects.select_related("order").prefetch_related("events").filter(order_id=order_id).first()
    if shipment is None:
        raise NotFound(_("Shipment not found"), code="shipment_not_found")
    return shipment
