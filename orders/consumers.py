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
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.realtime import auth_session_group, auth_user_group, session_is_current
from orders.models import Order
from orders.realtime import order_group


@database_sync_to_async
def _may_watch(user: Any, order_id: str) -> bool:
    return (
        Order.objects.filter(pk=order_id).filter(buyer_id=user.pk).exists()
        or Order.objects.filter(pk=order_id, store__owner_id=user.pk).exists()
    )


class OrderConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        order_id = str(self.scope["url_route"]["kwargs"]["order_id"])
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        if not await _may_watch(user, order_id):
            await self.close(code=4403)
            return
        groups = [order_group(order_id), auth_user_group(user.pk)]
        if self._session_key():
            groups.append(auth_session_group(self._session_key()))
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()

    def _session_key(self) -> str | None:
        session = self.scope.get("session")
        return getattr(session, "session_key", None) if session is not None else None

    async def _signed_in(self) -> bool:
        # Sockets from the ASGI stack carry the session they were opened with; a logout in another
        # process, an expired or deleted session, or a password change ends it here too.
        if self.scope.get("session") is None:
            return True  # no session middleware (in-process tests): authenticated at connect only
        return await database_sync_to_async(session_is_current)(
            session_key=self._session_key(), user_id=self.scope["user"].pk
        )

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The page only listens; "ping" keeps proxies from closing an idle socket.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def order_event(self, event: dict) -> None:
        if not await self._signed_in():
            await self.close(code=4401)
            return
        payload = dict(event.get("payload") or {})
        payload.setdefault("type", payload.get("kind", "status"))
        await self.send_json(payload)

    async def auth_ended(self, event: dict) -> None:
        await self.close(code=4401)
