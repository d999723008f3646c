"""KiriminAja simulator: deterministic, plausible rates and a booked-package state machine.

Rates follow how Indonesian couriers price: per started kilogram (the fraction above the
courier's 0.3 kg tolerance counts as a whole kg), a per-kg tariff that grows with the
distance zone, a courier factor and a service multiplier, rounded up to Rp 100.
Advancing a package POSTs the same callback KiriminAja sends to our real webhook.
"""

from __future__ import annotations

import json
import math
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shipping.providers.base import (
    CALLBACK_USER_AGENT,
    PROVIDER_NAME,
    PickupRequest,
    PickupResult,
    Quote,
    RateRequest,
    ShippingProviderError,
    bearer_token_valid,
)
from tokoblitar.errors import Conflict, NotFound


@dataclass(frozen=True)
class _Service:
    code: str
    name: str
    multiplier: float
    etd_shift: int  # days added to (negative: removed from) the zone's transit time


# courier -> (price factor, services)
SERVICES: dict[str, tuple[float, list[_Service]]] = {
    "jne": (
        1.00,
        [
            _Service("REG", "JNE Reguler", 1.0, 0),
            _Service("OKE", "JNE OKE", 0.85, 2),
            _Service("YES", "JNE YES", 1.9, -9),
        ],
    ),
    "jnt": (1.03, [_Service("EZ", "J&T EZ", 1.0, 0)]),
    "sicepat": (0.96, [_Service("REG", "SiCepat REG", 1.0, 0), _Service("BEST", "SiCepat BEST", 1.7, -9)]),
    "anteraja": (0.98, [_Service("REG", "AnterAja Regular", 1.0, 0), _Service("ND", "AnterAja Next Day", 1.8, -9)]),
    "pos": (0.92, [_Service("REG", "Pos Reguler", 1.0, 1), _Service("NEXTDAY", "Pos Nextday", 1.85, -9)]),
    "ninja": (0.99, [_Service("STANDARD", "Ninja Standard", 1.0, 0)]),
    "lion": (0.90, [_Service("REGPACK", "Lion Regpack", 1.0, 1), _Service("ONEPACK", "Lion Onepack", 1.75, -9)]),
    "idx": (0.94, [_Service("STD", "ID Express Standard", 1.0, 0)]),
}

# (max road km, rupiah per kg for a factor-1.0 courier, transit days low, high)
ZONES: list[tuple[float, int, int, int]] = [
    (15, 7_000, 1, 1),  # same town
    (60, 9_000, 1, 2),  # neighbouring regency
    (150, 11_000, 1, 2),
    (400, 14_000, 2, 3),  # across East Java
    (900, 19_000, 2, 4),  # Java
    (1_500, 26_000, 3, 5),  # Bali, Sumatra's south
    (math.inf, 38_000, 4, 7),  # outer islands
]

# KiriminAja callback methods in the order a package goes through them.
FLOW = ["processed_packages", "shipped_packages", "finished_packages"]


def road_km(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float:
    """Great-circle distance × 1.3, the usual road detour on Java."""
    if a is None or b is None:
        return 400.0
    lat1, lng1, lat2, lng2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h)) * 1.3


def chargeable_kg(weight_gram: int) -> int:
    """Couriers round up per kg once the fraction passes 0.3 kg; minimum 1 kg."""
    whole, rest = divmod(max(weight_gram, 1), 1000)
    if rest > 300 or whole == 0:
        whole += 1
    return whole


def simulated_price(*, courier: str, service: str, km: float, weight_gram: int) -> tuple[int, str]:
    factor, services = SERVICES[courier]
    svc = next(s for s in services if s.code == service)
    _, per_kg, low, high = next(z for z in ZONES if km <= z[0])
    price = per_kg * factor * svc.multiplier * chargeable_kg(weight_gram)
    price = int(math.ceil(price / 100.0) * 100)
    if svc.etd_shift < 0:  # next-day services
        etd = "1" if low <= 2 else f"{low - 1}-{low}"
    else:
        etd = f"{low + svc.etd_shift}-{high + svc.etd_shift}"
    return price, etd


Transport = Callable[[str, bytes, dict[str, str]], int]


def http_transport(url: str, body: bytes, headers: dict[str, str], *, timeout: float = 15.0) -> int:
    """POST over HTTP like KiriminAja's push service; returns the HTTP status.

    Raises ShippingProviderError when the webhook cannot be reached."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 - our own site
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ShippingProviderError(PROVIDER_NAME, f"simulator: webhook unreachable: {exc}") from exc


class SimulatorShippingProvider:
    """KiriminAja's rules offline: deterministic rates, one pickup per package, callbacks
    signed with this installation's secret and POSTed to our real webhook.

    Args:
        api_key: the Bearer token its callbacks carry (settings.SIMULATOR_SECRET).
        webhook_url: where callbacks go (SITE_URL + /api/webhooks/kiriminaja).
        transport: how a callback is delivered (`http_transport` by default; tests and the
            demo seeder pass one that calls our webhook in-process)."""

    name = "simulator"

    def __init__(self, *, api_key: str, webhook_url: str, transport: Transport | None = None):
        self.api_key = api_key
        self.webhook_url = webhook_url
        self.transport = transport or http_transport

    def callback_token_valid(self, authorization: str) -> bool:
        return bearer_token_valid(authorization, self.api_key)

    def deliver_callback(self, body: dict) -> None:
        """Send a callback exactly as KiriminAja's push service does; ShippingProviderError
        when the webhook does not answer 200."""
        status = self.transport(
            self.webhook_url,
            json.dumps(body).encode(),
            {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.api_key}",
                "User-Agent": CALLBACK_USER_AGENT,
            },
        )
        if status != 200:
            raise ShippingProviderError(PROVIDER_NAME, f"simulator: webhook refused the callback ({status})")

    def kecamatan_id(self, area) -> int:  # noqa: ANN001 - shipping.models.Area
        return area.id

    def rates(self, request: RateRequest) -> list[Quote]:
        km = road_km(request.origin_latlng, request.destination_latlng)
        quotes: list[Quote] = []
        for courier in request.couriers:
            if courier not in SERVICES:
                continue  # KiriminAja simply returns nothing for couriers it does not serve
            for svc in SERVICES[courier][1]:
                price, etd = simulated_price(courier=courier, service=svc.code, km=km, weight_gram=request.weight_gram)
                quotes.append(
                    Quote(courier=courier, service=svc.code, price=price, etd_days=etd, service_name=svc.name)
                )
        return quotes

    def request_pickup(self, request: PickupRequest) -> PickupResult:
        from shipping.models import SimulatedShipment

        package = request.package
        if package.courier not in SERVICES or package.service not in {s.code for s in SERVICES[package.courier][1]}:
            raise ShippingProviderError(PROVIDER_NAME, f"service {package.courier}:{package.service} not offered")
        # Like KiriminAja, the same package order_id books once; a repeat answers the same pickup.
        sim, _ = SimulatedShipment.objects.get_or_create(
            order_ref=package.order_ref,
            defaults={
                "pickup_number": "XID-" + secrets.token_hex(5).upper(),
                "courier": package.courier,
                "service": package.service,
            },
        )
        return PickupResult(
            provider_order_id=sim.pickup_number,
            raw={"status": True, "method": "request_pickup", "pickup_number": sim.pickup_number},
        )

    # --- development control -------------------------------------------------------

    def step(self, order_ref: str) -> dict:
        """Move a booked package one step and deliver KiriminAja's callback to our webhook.

        Returns the callback body that was delivered; raises NotFound when the package was
        never booked here, Conflict when it has no further step and ShippingProviderError
        when the webhook did not accept it (the step is undone then).
        """
        from shipping.models import SimulatedShipment

        with transaction.atomic():
            try:
                sim = SimulatedShipment.objects.select_for_update().get(order_ref=order_ref)
            except SimulatedShipment.DoesNotExist:
                raise NotFound(
                    _("This shipment was not booked with the simulator"), code="shipment_not_booked"
                ) from None
            index = FLOW.index(sim.last_method) + 1 if sim.last_method in FLOW else 0
            if sim.last_method and sim.last_method not in FLOW or index >= len(FLOW):
                raise Conflict(_("This shipment has no further step"), code="shipment_finished")
            method = FLOW[index]
            previous = sim.last_method
            if method == "processed_packages" and not sim.awb:
                sim.awb = _awb_for(sim.courier)
            sim.last_method = method
            sim.save(update_fields=["awb", "last_method", "updated_at"])
        body = {"method": method, "data": [callback_item(method=method, sim=sim, at=timezone.now())]}
        # After commit of the state above, outside any lock: the webhook runs in another thread.
        try:
            self.deliver_callback(body)
        except ShippingProviderError:
            # Not delivered: step back so the same callback can be sent again.
            SimulatedShipment.objects.filter(pk=sim.pk, last_method=method).update(last_method=previous)
            raise
        return body


def _awb_for(courier: str) -> str:
    prefix = {"jne": "CM", "jnt": "JD", "sicepat": "00", "anteraja": "10", "pos": "P"}.get(courier, "KA")
    return prefix + "".join(secrets.choice("0123456789") for _ in range(12))


def _ka_time(at: datetime) -> str:
    # KiriminAja sends local (WIB) wall-clock times, "YYYY-MM-DD HH:MM:SS".
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")


def callback_item(*, method: str, sim, at: datetime) -> dict:  # noqa: ANN001 - SimulatedShipment
    item = {"order_id": sim.order_ref, "awb": sim.awb}
    stamp = {
        "shipped_packages": "shipped_at",
        "finished_packages": "finished_at",
        "canceled_packages": "canceled_at",
        "returned_packages": "returned_at",
    }.get(method)
    if stamp:
        item[stamp] = _ka_time(at)
    return item
