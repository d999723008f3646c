"""The bell's socket: `ws/notifications/` joins the signed-in user's group and forwards its pushes.

Anonymous sockets are closed with 4401. Like the order socket it joins the user's and session's
auth groups (closed on logout or password change) and re-checks the session before each push.
No business rules here."""

from __future__ import annotations

from typing import Any

from accounts.consumers import SignedInConsumer
from notifications.realtime import notification_group


class NotificationConsumer(SignedInConsumer):
    async def topic_group(self, user: Any) -> str | None:
        return notification_group(user.pk)

    async def notification_event(self, event: dict) -> None:
        await self.forward({"type": "notification", **(event.get("payload") or {})})
