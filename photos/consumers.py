"""Live enhancement progress on the product edit page: `ws/photos/products/<uuid>/` joins
group `photos.product.<id>`; only the seller whose store owns the product may listen (4403;
4401 when not signed in). Closed on logout like the order socket. No business rules here."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.realtime import auth_session_group, auth_user_group, session_is_current
from catalog.models import Product
from photos.realtime import product_photos_group


@database_sync_to_async
def _may_watch(user: Any, product_id: str) -> bool:
    return Product.objects.filter(pk=product_id, store__owner_id=user.pk).exists()


class ProductPhotosConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        product_id = str(self.scope["url_route"]["kwargs"]["product_id"])
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        if not await _may_watch(user, product_id):
            await self.close(code=4403)
            return
        groups = [product_photos_group(product_id), auth_user_group(user.pk)]
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
        if self.scope.get("session") is None:
            return True  # in-process tests without session middleware: checked at connect
        return await database_sync_to_async(session_is_current)(
            session_key=self._session_key(), user_id=self.scope["user"].pk
        )

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def photos_event(self, event: dict) -> None:
        if not await self._signed_in():
            await self.close(code=4401)
            return
        await self.send_json(dict(event.get("payload") or {}))

    async def auth_ended(self, event: dict) -> None:
        await self.close(code=4401)
