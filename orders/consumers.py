"""Live order page: `ws/orders/<uuid>/` joins group `order.<id>` and forwards its events.

Only the buyer who placed the order or the seller whose store it belongs to may listen;
anyone else is closed with 4403 (4401 when not signed in). No business rules here.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from orders.models import Order
from orders.realtime import order_group


@database_sync_to_async
def _may_watch(user: Any, order_id: str) -> bool:
    return (
        Order.objects.filter(pk=order_id).filter(buyer_id=user.pk).exists()
        or Order.objects.filter(pk=order_id, store__owner_id=user.pk).exists()
    )


class OrderConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        order_id = str(self.scope["url_route"]["kwargs"]["order_id"])
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        if not await _may_watch(user, order_id):
            await self.close(code=4403)
            return
        self.group = order_group(order_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The page only listens; "ping" keeps proxies from closing an idle socket.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def order_event(self, event: dict) -> None:
        payload = dict(event.get("payload") or {})
        payload.setdefault("type", payload.get("kind", "status"))
        await self.send_json(payload)
