"""The shipping provider seam: one Protocol, the live KiriminAja client and the simulator.

Both answer with the same dataclasses and both lead to the same KiriminAja-format callback at
`/api/webhooks/kiriminaja`, so booking and tracking code is one path.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings

PROVIDER_NAME = "KiriminAja"
# Bearer token the simulator sends (and the webhook accepts) when no KIRIMINAJA_API_KEY is set.
# It only ever authenticates callbacks that the local simulator sends to this same site.
DEV_API_KEY = "KA-TOKOBLITAR-LOCAL-SIMULATOR"  # noqa: S105 - local development key, not a secret
CALLBACK_USER_AGENT = "KiriminAja-Push-Services"


def callback_api_key() -> str:
    """The token KiriminAja (or the simulator) puts in `Authorization: Bearer` on callbacks."""
    return settings.KIRIMINAJA_API_KEY or DEV_API_KEY


def callback_token_valid(authorization: str) -> bool:
    """Constant-time check of an `Authorization: Bearer <key>` header."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(token.strip().encode(), callback_api_key().encode())


@dataclass(frozen=True)
class Quote:
    """One courier service's price for a parcel. `price` is integer rupiah."""

    courier: str
    service: str
    price: int
    etd_days: str  # "2-3", as couriers state it
    service_name: str = ""

    @property
    def code(self) -> str:
        return f"{self.courier}:{self.service}"


@dataclass(frozen=True)
class RateRequest:
    origin_id: int  # the provider's kecamatan ids
    destination_id: int
    weight_gram: int
    couriers: list[str]
    item_value: int = 0
    # Coordinates let the simulator price by distance; the live API ignores them.
    origin_latlng: tuple[float, float] | None = None
    destination_latlng: tuple[float, float] | None = None


@dataclass(frozen=True)
class PickupPackage:
    order_ref: str  # our order number: KiriminAja's package order_id, echoed in callbacks
    destination_name: str
    destination_phone: str
    destination_address: str
    destination_kecamatan_id: int
    destination_zipcode: str
    weight_gram: int
    item_value: int
    item_name: str
    shipping_cost: int
    courier: str
    service: str


@dataclass(frozen=True)
class PickupRequest:
    name: str
    phone: str
    address: str
    kecamatan_id: int
    schedule: str  # "asap" | "morning" | "afternoon"
    package: PickupPackage


@dataclass(frozen=True)
class PickupResult:
    provider_order_id: str  # KiriminAja pickup number
    awb: str = ""  # often assigned later, in the processed_packages callback
    raw: dict = field(default_factory=dict)


class ShippingProvider(Protocol):
    name: str  # "kiriminaja" | "simulator"

    def kecamatan_id(self, area) -> int:  # noqa: ANN001 - shipping.models.Area
        """The provider's id for a district; raises ValidationFailed when it has none."""
        ...

    def rates(self, request: RateRequest) -> list[Quote]:
        """Every service of the requested couriers; raises ProviderError when the provider fails."""
        ...

    def request_pickup(self, request: PickupRequest) -> PickupResult:
        """Book a courier pickup for one package; raises ProviderError when the provider fails."""
        ...
