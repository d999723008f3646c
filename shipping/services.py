"""Shipping writes: settings, quotes, booking a pickup, applying courier callbacks.

Locks: an order row before its shipment row (the orders app locks orders first too), so a
payment webhook and a courier callback for the same order can never deadlock. Provider calls
happen outside any transaction: a slow courier API must not hold row locks.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from orders.causes import Cause
from orders.models import Order
from orders.realtime import push_order_event
from orders.selectors import order_get_for_store
from orders.services import order_flag_refund, order_ship, order_transition
from shipping.models import (
    COURIERS,
    DEFAULT_COURIERS,
    DEFAULT_ORIGIN_AREA_ID,
    Area,
    Shipment,
    ShipmentEvent,
    ShippingSettings,
)
from shipping.providers import get_shipping_provider, shipping_mode
from shipping.providers.base import (
    PROVIDER_NAME,
    PickupPackage,
    PickupRequest,
    Quote,
    RateRequest,
    ShippingProviderError,
    UnmappedAreaError,
)
from shipping.selectors import area_resolve
from stores.models import Store
from stores.selectors import store_get_for_seller
from tokoblitar.errors import Conflict, FeatureDisabled, ProviderError, ValidationFailed

# Column bounds of what a KiriminAja callback package writes (Shipment.awb, ShipmentEvent).
CALLBACK_FIELD_LIMITS = {"order_id": 32, "awb": 60, "reason": 200, "status": 60}

logger = logging.getLogger(__name__)

MAX_WEIGHT_GRAM = 50_000  # KiriminAja's express services take parcels up to 50 kg


# --- Settings -----------------------------------------------------------------------------


def shipping_settings_get_or_create(*, store: Store) -> ShippingSettings:
    """A store's settings; a new store gets origin Kota Blitar and the common couriers."""
    found = ShippingSettings.objects.select_related("origin_area").filter(store=store).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ShippingSettings.objects.create(
                store=store, origin_area_id=DEFAULT_ORIGIN_AREA_ID, couriers=list(DEFAULT_COURIERS)
            )
    except IntegrityError:  # created concurrently by another request
        return ShippingSettings.objects.select_related("origin_area").get(store=store)


def _validate_couriers(couriers: list[str]) -> list[str]:
    codes = [str(c).strip().lower() for c in couriers]
    unknown = sorted({c for c in codes if c not in COURIERS})
    if unknown:
        raise ValidationFailed(
            _("Unknown courier: %(couriers)s"),
            code="unknown_courier",
            params={"couriers": ", ".join(unknown)},
            fields={"couriers": [_("Unknown courier: %(couriers)s")]},
        )
    if not codes:
        raise ValidationFailed(
            _("Choose at least one courier"), code="no_courier", fields={"couriers": [_("Choose at least one courier")]}
        )
    return list(dict.fromkeys(codes))  # keep order, drop repeats


def shipping_settings_update(*, store: Store, **fields: Any) -> ShippingSettings:
    """Partial update: origin_area_id, couriers, pickup_name/phone/address/schedule.

    Under the settings row lock, writes only the fields whose value changes
    (`save(update_fields=...)`), so two edits of different settings both survive.
    Raises ValidationFailed (unknown district or courier, field rules).
    """
    current = shipping_settings_get_or_create(store=store)
    with transaction.atomic():
        obj = ShippingSettings.objects.select_for_update().get(pk=current.pk)
        changed: list[str] = []
        if "origin_area_id" in fields:
            area = Area.objects.filter(pk=fields["origin_area_id"]).first()
            if area is None:
                raise ValidationFailed(
                    _("Unknown origin district"),
                    code="unknown_district",
                    fields={"origin_district_id": [_("Unknown origin district")]},
                )
            if obj.origin_area_id != area.pk:
                obj.origin_area = area
                changed.append("origin_area")
        if "couriers" in fields:
            couriers = _validate_couriers(fields["couriers"])
            if list(obj.couriers or []) != couriers:
                obj.couriers = couriers
                changed.append("couriers")
        for name in ("pickup_name", "pickup_phone", "pickup_address", "pickup_schedule"):
            if name in fields and getattr(obj, name) != fields[name]:
                setattr(obj, name, fields[name])
                changed.append(name)
        obj.full_clean(exclude=["store", "origin_area"])
        if changed:
            obj.save(update_fields=[*changed, "updated_at"])
    return ShippingSettings.objects.select_related("origin_area").get(pk=obj.pk)


# --- Rates --------------------------------------------------------------------------------


def parse_courier(courier: str) -> tuple[str, str]:
    """`jne` → ("jne", ""), `JNE:reg` → ("jne", "REG")."""
    code, _sep, service = str(courier or "").strip().partition(":")
    code = code.strip().lower()
    if not code or code not in COURIERS:
        raise ValidationFailed(
            _("Unknown courier: %(couriers)s"),
            code="unknown_courier",
            params={"couriers": code or "-"},
            fields={"courier": [_("Unknown courier: %(couriers)s")]},
        )
    return code, service.strip().upper()


def _check_weight(weight_gram: Any) -> int:
    if isinstance(weight_gram, bool) or not isinstance(weight_gram, int) or not 0 < weight_gram <= MAX_WEIGHT_GRAM:
        message = _("Weight must be 1–%(max)s grams")
        raise ValidationFailed(
            message, code="invalid_weight", params={"max": MAX_WEIGHT_GRAM}, fields={"weight_gram": [message]}
        )
    return weight_gram


def _provider_rates(*, conf: ShippingSettings, destination: Any, weight_gram: int, couriers: list[str]) -> list[Quote]:
    area = area_resolve(destination)
    provider = get_shipping_provider()
    try:
        origin_id, destination_id = provider.kecamatan_id(conf.origin_area), provider.kecamatan_id(area)
    except UnmappedAreaError as exc:
        raise ValidationFailed(
            _("This district cannot be served by the courier service yet"),
            code="unmapped_district",
            fields={"destination": [_("This district cannot be served by the courier service yet")]},
        ) from exc
    request = RateRequest(
        origin_id=origin_id,
        destination_id=destination_id,
        weight_gram=weight_gram,
        couriers=couriers,
        origin_latlng=(conf.origin_area.lat, conf.origin_area.lng),
        destination_latlng=(area.lat, area.lng),
    )
    try:
        if provider.name == "simulator":
            return provider.rates(request)
        # Checkout asks the same question several times; live prices hold for minutes.
        key = f"shipping:rates:{request.origin_id}:{request.destination_id}:{weight_gram}:{','.join(sorted(couriers))}"
        cached = cache.get(key)
        if cached is None:
            cached = provider.rates(request)
            cache.set(key, cached, 600)
        return cached
    except ShippingProviderError as exc:
        logger.warning("Shipping rates failed: %s", exc)
        # The buyer reads a sentence in her language; the provider's own reason stays in the
        # log and on the error (`reason`), never in the answer.
        error = ProviderError(
            exc.provider,
            _("%(provider)s shipping rates are unavailable now, please try again"),
            code="rates_unavailable",
        )
        error.reason = str(exc)
        raise error from exc


def shipping_rates(*, store: Store, destination: Any, weight_gram: int) -> list[Quote]:
    """Every service of every courier the store offers, cheapest first."""
    _check_weight(weight_gram)
    conf = shipping_settings_get_or_create(store=store)
    quotes = _provider_rates(conf=conf, destination=destination, weight_gram=weight_gram, couriers=list(conf.couriers))
    return sorted(quotes, key=lambda q: (q.price, q.courier, q.service))


def shipping_quote(*, store: Store, destination: Any, weight_gram: int, courier: str) -> Quote:
    """The price of `courier` (`jne`, or `jne:REG`; without a service the courier's cheapest).

    ValidationFailed for an unknown/unoffered courier or service, or an unknown destination;
    ProviderError("KiriminAja", ...) when the rates provider fails."""
    code, service = parse_courier(courier)
    _check_weight(weight_gram)
    conf = shipping_settings_get_or_create(store=store)
    if code not in conf.couriers:
        raise ValidationFailed(
            _("This store does not ship with that courier"),
            code="courier_not_offered",
            fields={"courier": [_("This store does not ship with that courier")]},
        )
    quotes = _provider_rates(conf=conf, destination=destination, weight_gram=weight_gram, couriers=[code])
    quotes = [q for q in quotes if q.courier == code and (not service or q.service.upper() == service)]
    if not quotes:
        message = _("This courier service is not available for this destination")
        raise ValidationFailed(message, code="service_unavailable", fields={"courier": [message]})
    return min(quotes, key=lambda q: (q.price, q.service))


# --- Booking ------------------------------------------------------------------------------

BOOKED_OR_LATER = frozenset(
    {
        Shipment.Status.BOOKED,
        Shipment.Status.PROCESSED,
        Shipment.Status.SHIPPED,
        Shipment.Status.DELIVERED,
        Shipment.Status.RETURNED,
    }
)


def book_max_attempts() -> int:
    return int(getattr(settings, "SHIPMENT_BOOK_MAX_ATTEMPTS", 5))


def book_backoff(attempt: int) -> timedelta:
    """30 s, 60 s, 120 s, ... capped at an hour (base from SHIPMENT_BOOK_BACKOFF_SECONDS)."""
    base = int(getattr(settings, "SHIPMENT_BOOK_BACKOFF_SECONDS", 30))
    return timedelta(seconds=min(base * 2 ** max(attempt - 1, 0), 3600))


def shipment_data(shipment: Shipment) -> dict:
    """The shipment as pushed to the tracking page and returned by the API."""
    return {
        "courier": shipment.courier,
        "service": shipment.service,
        "awb": shipment.awb,
        "status": shipment.status,
        "status_label": str(Shipment.Status(shipment.status).label),
        "provider": shipment.provider,
        "booked_at": shipment.booked_at.isoformat() if shipment.booked_at else None,
        "attempts": shipment.attempts,
        "last_error": shipment.last_error,
    }


def _push(shipment: Shipment, order: Order, event: ShipmentEvent | None = None) -> None:
    payload: dict[str, Any] = {"kind": "shipment", "status": order.status, "shipment": shipment_data(shipment)}
    if event is not None:
        payload["event"] = {
            "status": event.status,
            "description": event.description_text,
            "at": event.occurred_at.isoformat(),
        }
    push_order_event(order.pk, payload)


def _pickup_request(order: Order, provider: Any) -> PickupRequest:
    conf = shipping_settings_get_or_create(store=order.store)
    address = order.shipping_address or {}
    destination = area_resolve(address, field="shipping_address.district")
    owner = order.store.owner
    items = list(order.items.all())
    item_name = ", ".join(f"{i.product_name} x{i.quantity}" for i in items) or order.number
    package = PickupPackage(
        order_ref=order.number,
        destination_name=str(address.get("name", "")),
        destination_phone=str(address.get("phone", "")),
        destination_address=str(address.get("address", "")),
        destination_kecamatan_id=provider.kecamatan_id(destination),
        destination_zipcode=str(address.get("postal_code", "") or destination.postal_code),
        weight_gram=max(order.weight_gram, 1),
        item_value=order.subtotal,
        item_name=item_name,
        shipping_cost=order.shipping_cost,
        courier=order.courier,
        service=order.courier_service,
    )
    return PickupRequest(
        name=conf.pickup_name or order.store.name,
        phone=conf.pickup_phone or getattr(owner, "phone", "") or "",
        address=conf.pickup_address or order.store.address or conf.origin_area.label,
        kecamatan_id=provider.kecamatan_id(conf.origin_area),
        schedule=conf.pickup_schedule,
        package=package,
    )


def shipment_request_pickup(*, order_id: str, attempt: int = 1) -> Shipment | None:
    """Book the courier for a paid order (attempt `attempt`); idempotent.

    Returns the shipment (status BOOKED, RETRYING with `next_attempt_at` and the next attempt
    enqueued, or FAILED after the last attempt), or None when the order no longer needs a courier."""
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("store").filter(pk=order_id).first()
        if order is None or order.status not in (Order.Status.PAID, Order.Status.PROCESSING) or order.manual_awb:
            return None
        shipment, _ = Shipment.objects.select_for_update().get_or_create(
            order=order,
            defaults={"provider": shipping_mode(), "courier": order.courier, "service": order.courier_service},
        )
        # A duplicate or stale task (the same attempt enqueued twice) must not book twice.
        if shipment.status in BOOKED_OR_LATER or shipment.attempts >= attempt:
            return shipment
        shipment.status = Shipment.Status.BOOKING
        shipment.attempts = attempt
        shipment.next_attempt_at = None
        shipment.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])

    provider = get_shipping_provider()
    try:
        result = provider.request_pickup(_pickup_request(order, provider))
    except (ShippingProviderError, ValidationFailed) as exc:
        # An address we cannot map never books; only provider failures are worth retrying.
        retry = isinstance(exc, ShippingProviderError) and exc.retryable and attempt < book_max_attempts()
        with transaction.atomic():
            shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
            shipment.last_error = str(exc)[:1000]
            if retry:
                shipment.status = Shipment.Status.RETRYING
                shipment.next_attempt_at = timezone.now() + book_backoff(attempt)
            else:
                shipment.status = Shipment.Status.FAILED
                shipment.next_attempt_at = None
            shipment.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
            _push(shipment, order)
            if retry:
                # Scheduled here, by the attempt that failed: a duplicate delivery of this task
                # returns early above and so never schedules the next attempt a second time.
                shipment_book_schedule(order_id=str(order.pk), shipment=shipment, attempt=attempt)
        logger.warning("Shipment booking for %s failed (attempt %s): %s", order.number, attempt, exc)
        return shipment

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        shipment.status = Shipment.Status.BOOKED if shipment.status == Shipment.Status.BOOKING else shipment.status
        shipment.provider_order_id = result.provider_order_id
        shipment.awb = shipment.awb or result.awb
        shipment.booked_at = timezone.now()
        shipment.last_error = ""
        shipment.save()
        event, _ = ShipmentEvent.objects.get_or_create(
            dedupe_key=f"booked:{order.number}",
            defaults={
                "shipment": shipment,
                "status": Shipment.Status.BOOKED,
                "description": f"Kurir {COURIERS.get(shipment.courier, shipment.courier)} dipesan"
                f" ({result.provider_order_id})",
                "occurred_at": shipment.booked_at,
                "raw": result.raw if isinstance(result.raw, dict) else {},
            },
        )
        if order.status == Order.Status.PAID:
            booked = Cause("courier_booked", {"provider": PROVIDER_NAME})
            order = order_transition(order=order, to=Order.Status.PROCESSING, cause=booked)
        _push(shipment, order, event)
    return shipment


def shipment_book_schedule(*, order_id: str, shipment: Shipment | None, attempt: int) -> bool:
    """Re-enqueue the booking task after a retryable failure; True when scheduled."""
    if shipment is None or shipment.status != Shipment.Status.RETRYING or shipment.next_attempt_at is None:
        return False
    from shipping.tasks import shipment_book

    shipment_book.using(run_after=shipment.next_attempt_at).enqueue(order_id=order_id, attempt=attempt + 1)
    return True


# --- Courier callbacks --------------------------------------------------------------------

METHOD_STATUS = {
    "processed_packages": Shipment.Status.PROCESSED,
    "shipped_packages": Shipment.Status.SHIPPED,
    "finished_packages": Shipment.Status.DELIVERED,
    "canceled_packages": Shipment.Status.CANCELED,
    "returned_packages": Shipment.Status.RETURNED,
}
METHOD_STAMP = {
    "shipped_packages": "shipped_at",
    "finished_packages": "finished_at",
    "canceled_packages": "canceled_at",
    "returned_packages": "returned_at",
}
DESCRIPTIONS = {
    Shipment.Status.PROCESSED: "Paket diproses kurir, resi {awb}",
    Shipment.Status.SHIPPED: "Paket dalam perjalanan",
    Shipment.Status.DELIVERED: "Paket diterima",
    Shipment.Status.CANCELED: "Pengiriman dibatalkan kurir: {reason}",
    Shipment.Status.RETURNED: "Paket dikembalikan ke penjual",
}


def _parse_time(value: Any) -> datetime | None:
    """KiriminAja times are WIB wall-clock "YYYY-MM-DD HH:MM:SS" (ISO accepted too)."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_fixed_timezone(7 * 60))
    return parsed


def _order_forward(order: Order, target: str, cause: Cause) -> Order:
    """Walk the order forward to `target` through the states a parcel implies."""
    path = {
        Order.Status.PROCESSING: [Order.Status.PROCESSING],
        Order.Status.SHIPPED: [Order.Status.SHIPPED],
        # A delivery callback that overtook "shipped" still passes through shipped.
        Order.Status.DELIVERED: [Order.Status.SHIPPED, Order.Status.DELIVERED],
    }[target]
    for step in path:
        if order.status == step:
            continue
        if order.can_move_to(step):
            order = order_transition(order=order, to=step, cause=cause)
    return order


def shipment_callback_apply(*, method: str, item: dict) -> str:
    """Apply one package of a KiriminAja callback; returns the outcome.

    Outcomes: "applied", "duplicate", "stale" (recorded, but older than the shipment's
    state), "unknown_shipment", "ignored" (a method we do not track)."""
    status = METHOD_STATUS.get(method)
    if status is None:
        return "ignored"
    order_ref = str(item.get("order_id") or "").strip()
    awb = str(item.get("awb") or "").strip()
    if not order_ref and not awb:
        return "unknown_shipment"
    stamp_raw = item.get(METHOD_STAMP.get(method, ""), "")
    occurred_at = _parse_time(stamp_raw) or timezone.now()
    dedupe_key = f"{method}:{order_ref or awb}:{stamp_raw or awb}"[:200]

    with transaction.atomic():
        lookup = Shipment.objects.filter(order__number=order_ref) if order_ref else Shipment.objects.filter(awb=awb)
        shipment_ref = lookup.values("pk", "order_id").first()
        if shipment_ref is None:
            return "unknown_shipment"
        order = Order.objects.select_for_update().get(pk=shipment_ref["order_id"])
        shipment = Shipment.objects.select_for_update().get(pk=shipment_ref["pk"])
        if ShipmentEvent.objects.filter(dedupe_key=dedupe_key).exists():
            return "duplicate"
        if awb and not shipment.awb:
            shipment.awb = awb
        description = DESCRIPTIONS[status].format(awb=awb or shipment.awb, reason=item.get("reason") or "-")
        event = ShipmentEvent.objects.create(
            shipment=shipment,
            status=status,
            description=description[:300],
            occurred_at=occurred_at,
            raw={"method": method, **item},
            dedupe_key=dedupe_key,
        )
        current_rank = Shipment.RANK[shipment.status]
        moves = Shipment.RANK[status] > current_rank
        if status == Shipment.Status.CANCELED:
            # Couriers cancel before pickup; once the parcel moves a cancel is noise.
            moves = current_rank < Shipment.RANK[Shipment.Status.SHIPPED]
        if not moves:
            shipment.save(update_fields=["awb", "updated_at"])
            _push(shipment, order, event)
            return "stale"
        shipment.status = status
        if status == Shipment.Status.CANCELED:
            shipment.last_error = description[:1000]
        shipment.save(update_fields=["awb", "status", "last_error", "updated_at"])
        cause = Cause("courier_update", {"provider": PROVIDER_NAME, "update": method})
        try:
            if status == Shipment.Status.PROCESSED and order.status == Order.Status.PAID:
                order = _order_forward(order, Order.Status.PROCESSING, cause)
            elif status == Shipment.Status.SHIPPED:
                order = _order_forward(order, Order.Status.SHIPPED, cause)
            elif status == Shipment.Status.DELIVERED:
                order = _order_forward(order, Order.Status.DELIVERED, cause)
            elif status == Shipment.Status.RETURNED and not order.needs_refund:
                # The buyer never got the goods: money goes back (the seller confirms the refund).
                order_flag_refund(order=order, reason="parcel_returned")
        except Conflict:
            # e.g. a parcel moving for an order the seller cancelled: keep the record, flag it.
            logger.warning("Order %s (%s) did not follow shipment %s", order.number, order.status, status)
        _push(shipment, order, event)
    return "applied"


# --- Simulator control --------------------------------------------------------------------


# Shipment states the simulator can still move one step (booked, before any courier event, included).
ADVANCEABLE = frozenset({Shipment.Status.BOOKED, Shipment.Status.PROCESSED, Shipment.Status.SHIPPED})


def shipment_can_advance(shipment: Shipment | None) -> bool:
    """Whether the simulator control is offered: simulator mode and a parcel with a next step
    (from the booking on: the first step is what gives it an AWB)."""
    return shipment is not None and shipment.status in ADVANCEABLE and shipping_mode() == "simulator"


def shipment_manual_ship_allowed(shipment: Shipment | None) -> bool:
    """Whether the seller may type an AWB herself: only when no courier was (or is being)
    booked, the same rule `order_ship_manual` enforces."""
    if shipment is None:
        return True
    return not shipment.awb and shipment.status not in BOOKED_OR_LATER | {Shipment.Status.BOOKING}


def shipment_advance(*, order: Order, transport: Any = None) -> dict:
    """Development control: the simulator moves the parcel one step and calls our webhook.

    `transport` (optional) replaces how the simulator delivers its callback (`manage.py
    advance_shipment` hands it to the webhook in-process, whatever port the site runs on).
    FeatureDisabled when shipping is live; Conflict when nothing is booked yet; the
    simulator's NotFound/Conflict; ProviderError when the webhook does not accept the step."""
    if shipping_mode() != "simulator":
        raise FeatureDisabled(
            _("The shipping simulator controls are only available in simulator mode"), code="simulator_disabled"
        )
    shipment = Shipment.objects.filter(order=order).first()
    if shipment is None or shipment.status not in BOOKED_OR_LATER - {Shipment.Status.RETURNED}:
        raise Conflict(_("The shipment is not booked yet"), code="shipment_not_booked")
    provider = get_shipping_provider()
    if transport is not None:
        provider.transport = transport
    try:
        return provider.step(order.number)
    except ShippingProviderError as exc:
        raise ProviderError(
            exc.provider, _("%(provider)s could not deliver the step: %(reason)s"), params={"reason": str(exc)}
        ) from exc


def shipment_callback_problem(item: dict) -> str:
    """Why one KiriminAja callback package cannot be applied ("" when it can): every field
    that reaches a bounded column is checked before anything is written."""
    for name, limit in CALLBACK_FIELD_LIMITS.items():
        value = item.get(name)
        if value is None:
            continue
        if not isinstance(value, str | int):
            return f"{name} must be text"
        if len(str(value)) > limit:
            return f"{name} longer than {limit} characters"
    return ""


def order_ship_manual(*, order: Order, awb: str) -> Order:
    """The seller ships by hand with an AWB she typed; refused (Conflict) when a courier was
    already booked for the order, so a parcel can never be shipped twice."""
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().filter(order=order).first()
        if shipment is not None and shipment.awb:
            raise Conflict(
                _("Order %(order)s was already booked with AWB %(awb)s"),
                code="already_booked",
                params={"order": order.number, "awb": shipment.awb},
            )
        if shipment is not None and shipment.status in (Shipment.Status.BOOKING, Shipment.Status.BOOKED):
            raise Conflict(
                _("A courier is being booked for order %(order)s"),
                code="already_booked",
                params={"order": order.number},
            )
        return order_ship(order=order, awb=awb)


def shipment_book_enqueue(*, order_id: str, store_id: str = "") -> None:
    """Subscriber of `order.paid`: book the courier in the background."""
    from shipping.tasks import shipment_book

    shipment_book.enqueue(order_id=order_id)


def seller_order_ship(*, actor: User, order_id: UUID | str, awb: str) -> Order:
    """Entry service: the acting seller ships one of her store's orders by hand with an AWB
    (NotFound for another store's order; Conflict when a courier was booked)."""
    order = order_get_for_store(store=store_get_for_seller(user=actor), order_id=order_id)
    return order_ship_manual(order=order, awb=awb)


def seller_shipping_settings_update(*, actor: User, **fields: Any) -> ShippingSettings:
    """Entry service: the acting seller edits her own store's shipping settings (see
    `shipping_settings_update` for the fields and rules; NotFound without a store)."""
    return shipping_settings_update(store=store_get_for_seller(user=actor), **fields)


def buyer_order_shipment_advance(*, actor: User, order_id: UUID | str) -> dict:
    """Entry service (simulator only): the buyer's tracking page plays the courier one step.
    NotFound for anyone else's order; see `shipment_advance` for the rest."""
    from orders.selectors import order_get_for_buyer

    return shipment_advance(order=order_get_for_buyer(buyer=actor, order_id=order_id))


def seller_order_shipment_advance(*, actor: User, order_id: UUID | str) -> dict:
    """Entry service (simulator only): the seller's order page plays the courier one step.
    NotFound for another store's order; see `shipment_advance` for the rest."""
    order = order_get_for_store(store=store_get_for_seller(user=actor), order_id=order_id)
    return shipment_advance(order=order)
