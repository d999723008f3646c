"""Live KiriminAja client on the official `kiriminaja` SDK (httpx transport with a timeout).

The SDK is a thin, typed wrapper over the documented endpoints; it raises `HttpError` for
non-2xx answers and lets the transport's network errors through. KiriminAja also reports
refusals as HTTP 200 with `"status": false`, which we check too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from django.utils import timezone
from kiriminaja import Env, KiriminAja
from kiriminaja.http import HttpError
from kiriminaja.types.address import PricingExpressPayload
from kiriminaja.types.order import RequestPickupPackage, RequestPickupPayload

from shipping.providers.base import (
    PROVIDER_NAME,
    PickupRequest,
    PickupResult,
    Quote,
    RateRequest,
    ShippingProviderError,
    UnmappedAreaError,
    bearer_token_valid,
)

# KiriminAja's package type for ordinary goods.
PACKAGE_TYPE_GENERAL = 7


class KiriminAjaShippingProvider:
    name = "kiriminaja"

    def __init__(self, *, api_key: str, base_url: str = "", is_production: bool = False, timeout: float = 10.0):
        self._client = KiriminAja(
            env=Env.PRODUCTION if is_production else Env.SANDBOX,
            api_key=api_key,
            base_url=base_url,
            http_client=httpx.Client(timeout=timeout),
        )
        self._api_key = api_key

    def callback_token_valid(self, authorization: str) -> bool:
        """KiriminAja authenticates callbacks with our own API key as the Bearer token."""
        return bearer_token_valid(authorization, self._api_key)

    def kecamatan_id(self, area) -> int:  # noqa: ANN001 - shipping.models.Area
        if not area.kiriminaja_id:
            raise UnmappedAreaError(PROVIDER_NAME, f"district {area.pk} has no KiriminAja kecamatan id")
        return area.kiriminaja_id

    def _call(self, what: str, fn, *args: Any) -> dict:  # noqa: ANN001
        try:
            body = fn(*args)
        except HttpError as exc:
            raise ShippingProviderError(PROVIDER_NAME, f"{what} failed (HTTP {exc.status_code})") from exc
        except httpx.TimeoutException as exc:
            raise ShippingProviderError(PROVIDER_NAME, f"{what} timed out") from exc
        except (httpx.HTTPError, ValueError) as exc:  # network failure or a body that is not JSON
            raise ShippingProviderError(PROVIDER_NAME, f"{what} failed: {exc}") from exc
        if not isinstance(body, dict) or body.get("status") is not True:
            text = body.get("text") if isinstance(body, dict) else None
            raise ShippingProviderError(PROVIDER_NAME, f"{what} refused: {text or 'unrecognised answer'}")
        return body

    def rates(self, request: RateRequest) -> list[Quote]:
        payload = PricingExpressPayload(
            origin=request.origin_id,
            destination=request.destination_id,
            weight=request.weight_gram,
            item_value=request.item_value,
            insurance=0,
            courier=list(request.couriers),
        )
        body = self._call("shipping_price", self._client.coverage_area.pricing_express, payload)
        results = body.get("results")
        if results is None and isinstance(body.get("details"), dict):
            results = body["details"].get("results")
        quotes: list[Quote] = []
        for row in results or []:
            try:
                quotes.append(
                    Quote(
                        courier=str(row["service"]).lower(),
                        service=str(row["service_type"]),
                        price=int(float(row["cost"])),
                        etd_days=str(row.get("etd") or ""),
                        service_name=str(row.get("service_name") or ""),
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise ShippingProviderError(PROVIDER_NAME, "shipping_price: unrecognised rate row") from exc
        wanted = set(request.couriers)
        return [q for q in quotes if q.courier in wanted]

    def _schedule(self, preference: str) -> str:
        """The first open pickup slot KiriminAja offers (morning/afternoon honoured when possible)."""
        body = self._call("schedules", self._client.pickup.schedules)
        slots = [s for s in body.get("schedules") or [] if not s.get("expired") and not s.get("libur")]
        clocks = [str(s["clock"]) for s in slots if s.get("clock")]
        if preference in ("morning", "afternoon"):
            pick = [c for c in clocks if (int(c[11:13] or 0) < 12) == (preference == "morning")]
            clocks = pick or clocks
        if clocks:
            return clocks[0]
        soon = timezone.localtime(timezone.now() + timedelta(hours=1))
        return soon.strftime("%Y-%m-%d %H:00:00")

    def request_pickup(self, request: PickupRequest) -> PickupResult:
        pkg = request.package
        payload = RequestPickupPayload(
            address=request.address,
            phone=request.phone,
            name=request.name,
            kecamatan_id=request.kecamatan_id,
            schedule=self._schedule(request.schedule),
            platform_name="TokoBLITAR",
            packages=[
                RequestPickupPackage(
                    order_id=pkg.order_ref,
                    destination_name=pkg.destination_name,
                    destination_phone=pkg.destination_phone,
                    destination_address=pkg.destination_address,
                    destination_kecamatan_id=pkg.destination_kecamatan_id,
                    destination_zipcode=pkg.destination_zipcode or None,
                    weight=pkg.weight_gram,
                    width=10,
                    length=10,
                    height=10,
                    item_value=pkg.item_value,
                    shipping_cost=pkg.shipping_cost,
                    service=pkg.courier,
                    service_type=pkg.service,
                    cod=0,
                    package_type_id=PACKAGE_TYPE_GENERAL,
                    item_name=pkg.item_name[:100],
                )
            ],
        )
        body = self._call("request_pickup", self._client.order.express.request_pickup, payload)
        details = body.get("details") if isinstance(body.get("details"), dict) else {}
        pickup_number = str(
            body.get("pickup_number") or details.get("kj_order_id") or details.get("pickup_number") or ""
        )
        if not pickup_number:
            raise ShippingProviderError(PROVIDER_NAME, "request_pickup: no pickup number in the answer")
        awb = ""
        for row in body.get("data") or details.get("packages") or []:
            if isinstance(row, dict) and row.get("order_id") == pkg.order_ref and row.get("awb"):
                awb = str(row["awb"])
        return PickupResult(provider_order_id=pickup_number, awb=awb, raw=body)
