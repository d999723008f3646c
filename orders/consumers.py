"""Live order page: `ws/orders/<uuid>/` joins group `order.<id>` and forwards its events.

Only the buyer who placed the order or the seller whose store it belongs to may listen;
anyone else is closed with 4403 (4401 when not signed in). The socket lives only as long as
the sign-in it was opened under: it joins its session's and user's auth groups and closes
with 4401 on logout or password change, and it re-checks the session before every push
(accounts.realtime). No business rules here.
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from accounts.consumers import SignedInConsumer
from orders.models import Order
from orders.realtime import order_group


@database_sync_to_async
def _may_watch(user: Any, order_id: str) -> bool:
    return (
        Order.objects.filter(pk=order_id).filter(buyer_id=user.pk).exists()
        or Order.objects.filter(pk=order_id, store__owner_id=user.pk).exists()
    )


class OrderConsumer(SignedInConsumer):
    async def topic_group(self, user: Any) -> str | None:
        order_id = str(self.scope["url_route"]["kwargs"]["order_id"])
        return order_group(order_id) if await _may_watch(user, order_id) else None

    async def order_event(self, event: dict) -> None:
        payload = dict(event.get("payload") or {})
        payload.setdefault("type", payload.get("kind", "status"))
        await self.forward(payload)
