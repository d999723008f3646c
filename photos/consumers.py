"""Live enhancement progress on the product edit page: `ws/photos/products/<uuid>/` joins
group `photos.product.<id>`; only the seller whose store owns the product may listen (4403;
4401 when not signed in). Closed on logout like the order socket. No business rules here."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from accounts.consumers import SignedInConsumer
from catalog.models import Product
from photos.realtime import product_photos_group


@database_sync_to_async
def _may_watch(user: Any, product_id: str) -> bool:
    return Product.objects.filter(pk=product_id, store__owner_id=user.pk).exists()


class ProductPhotosConsumer(SignedInConsumer):
    async def topic_group(self, user: Any) -> str | None:
        product_id = str(self.scope["url_route"]["kwargs"]["product_id"])
        return product_photos_group(product_id) if await _may_watch(user, product_id) else None

    async def photos_event(self, event: dict) -> None:
        await self.forward(dict(event.get("payload") or {}))
