"""Reads for the sales-channel routes and dashboard page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from marketplace.channels.base import PLATFORM_NAMES, PLATFORMS
from marketplace.models import ChannelOrder, MarketplaceConnection, MarketplaceListing
from stores.models import Store
from tokoblitar.providers import provider_config

EXPIRING_WITHIN = timedelta(days=7)


def connection_state(connection: MarketplaceConnection | None) -> str:
    """ "not_connected", "connected", "expiring" (the refresh deadline is within 7 days, or the
    platform warned), "expired" or "disconnected"."""
    if connection is None:
        return "not_connected"
    if connection.status != MarketplaceConnection.Status.CONNECTED:
        return str(connection.status)
    if connection.refresh_expires_at and connection.refresh_expires_at < timezone.now():
        return "expired"
    if connection.refresh_expires_at and connection.refresh_expires_at - timezone.now() < EXPIRING_WITHIN:
        return "expiring"
    return "connected"


def _mode(platform: str) -> str:
    try:
        return provider_config(platform).mode
    except Exception:  # noqa: BLE001 - an unregistered kind shows as off, never breaks the page
        return "off"


def marketplace_status(*, store: Store) -> dict[str, Any]:
    """{connections: [...per platform], products: [...per listing]} for the status route and
    the dashboard page."""
    connections = {c.platform: c for c in MarketplaceConnection.objects.filter(store=store)}
    out = []
    for platform in PLATFORMS:
        c = connections.get(platform)
        out.append(
            {
                "platform": platform,
                "platform_name": PLATFORM_NAMES[platform],
                "mode": _mode(platform),
                "state": connection_state(c),
                "shop_id": c.shop_id if c else "",
                "shop_name": c.shop_name if c else "",
                "last_sync_at": c.last_sync_at if c else None,
                "access_expires_at": c.access_expires_at if c else None,
                "last_error": c.last_error if c else "",
            }
        )
    listings = (
        MarketplaceListing.objects.filter(store=store).select_related("product").order_by("product__name", "platform")
    )
    products = [
        {
            "product_id": str(x.product_id),
            "product_name": x.product.name,
            "platform": x.platform,
            "platform_name": PLATFORM_NAMES[x.platform],
            "external_id": x.external_id,
            "status": x.status,
            "error_code": x.error_code,
            "error_message": x.error_message,
            "last_synced_at": x.last_synced_at,
            "pushed_stock": x.pushed_stock,
            "stock": x.product.stock,
            "stock_error": x.stock_error,
        }
        for x in listings
    ]
    return {"connections": out, "products": products}


def channel_orders_for_store(*, store: Store, limit: int = 50) -> list[ChannelOrder]:
    return list(ChannelOrder.objects.filter(store=store).order_by("-placed_at")[:limit])
