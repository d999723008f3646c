"""The one shape of every live socket: signed in (4401), allowed to watch its topic (4403),
joined to the topic's group plus the user's and session's auth groups, closed with 4401 on
logout or password change, and the session re-checked before each push (accounts.realtime).

A subclass names its topic group in `topic_group` (None refuses with 4403) and forwards its
group's events with `forward`. No business rules here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.realtime import auth_session_group, auth_user_group, session_is_current


class SignedInConsumer(AsyncJsonWebsocketConsumer, ABC):
    groups_joined: list[str]

    @abstractmethod
    async def topic_group(self, user: Any) -> str | None:
        """The group this socket listens to for `user`, or None when she may not watch it."""

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        topic = await self.topic_group(user)
        if topic is None:
            await self.close(code=4403)
            return
        groups = [topic, auth_user_group(user.pk)]
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

    async def forward(self, payload: dict) -> None:
        """Send `payload` if the sign-in still holds; otherwise close with 4401."""
        if not await self._signed_in():
            await self.close(code=4401)
            return
        await self.send_json(payload)

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # Pages only listen; "ping" keeps proxies from closing an idle socket.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def auth_ended(self, event: dict) -> None:
        await self.close(code=4401)
