"""The bell's socket: `ws/notifications/` joins the signed-in user's group and forwards its pushes.

Anonymous sockets are closed with 4401. Like the order socket it joins the user's and session's
auth groups (closed on logout or password change) and re-checks the session before each push.
No business rules here."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.realtime import auth_session_group, auth_user_group, session_is_current
from notifications.realtime import notification_group


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        groups = [notification_group(user.pk), auth_user_group(user.pk)]
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
            return True  # no session middleware (in-process tests): authenticated at connect only
        return await database_sync_to_async(session_is_current)(
            session_key=self._session_key(), user_id=self.scope["user"].pk
        )

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def notification_event(self, event: dict) -> None:
        if not await self._signed_in():
            await self.close(code=4401)
            return
        await self.send_json({"type": "notification", **(event.get("payload") or {})})

    async def auth_ended(self, event: dict) -> None:
        await self.close(code=4401)
