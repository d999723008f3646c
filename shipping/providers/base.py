"""The shipping provider seam: one Protocol, the live KiriminAja client and the simulator.

Both answer with the same dataclasses and both lead to the same KiriminAja-format callback at
`/api/webhooks/kiriminaja`, so booking and tracking code is one path.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from shipping.models import Area


PROVIDER_NAME = "KiriminAja"
CALLBACK_USER_AGENT = "KiriminAja-Push-Services"


class ShippingProviderError(Exception):
    """The shipping provider failed or refused (technical English text, no UI language);
    `provider` names it. The shipping services decide what it means for the user."""

    retryable = True

    def __init__(self, provider: str, message: str):
        self.provider = provider
        super().__init__(message)


class UnmappedAreaError(ShippingProviderError):
    """The provider has no id for a district: booking can never succeed, so never retry."""

    retryable = False


def bearer_token_valid(authorization: str, expected: str) -> bool:
    """Constant-time check of an `Authorization: Bearer <key>` header against `expected`.

    KiriminAja's push service sends `Authorization: Bearer <the merchant's API key>` on every
    callback (KiriminAja API docs, "Callback"; providers.md §KiriminAja). An empty expected key
    never matches."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or not expected:
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


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

    def kecamatan_id(self, area: Area) -> int:
        """The provider's id for a district; raises UnmappedAreaError when it has none."""
        ...

    def rates(self, request: RateRequest) -> list[Quote]:
        """Every service of the requested couriers; raises ShippingProviderError on failure."""
        ...

    def request_pickup(self, request: PickupRequest) -> PickupResult:
        """Book a courier pickup for one package; raises ShippingProviderError on failure."""
        ...

    def callback_token_valid(self, authorization: str) -> bool:
        """Whether an inbound callback's `Authorization` header is this provider's."""
        ...
