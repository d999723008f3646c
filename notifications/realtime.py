"""The bell, live: Channels group `notifications.user.<id>`, pushed after commit through the
kernel's sender. The consumer (notifications/consumers.py) forwards
`{"type": "notification.event", "payload": {"unread": n, "title": ..., "url": ...}}`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import translation

from tokoblitar.realtime import push_now

if TYPE_CHECKING:
    from notifications.models import Notification

NOTIFICATION_EVENT = "notification.event"


def notification_group(user_id: Any) -> str:
    return f"notifications.user.{user_id}"


def push_unread(*, user_id: Any, notification: Notification | None = None, language: str = "id") -> None:
    """After commit, send the user's unread count (and the new notification's title, in her
    language) to every page she has open. Best effort, like every realtime push."""
    note_id = notification.pk if notification is not None else None

    def send() -> None:
        from notifications.compose import compose
        from notifications.models import Notification
        from notifications.selectors import unread_count

        payload: dict[str, Any] = {"unread": unread_count(user_id=user_id)}
        if note_id is not None:
            note = Notification.objects.filter(pk=note_id).first()
            if note is not None:
                with translation.override(language):
                    payload.update(
                        id=str(note.pk), kind=note.kind, title=compose(note.kind, note.data).subject, url=note.url
                    )
        try:
            push_now(notification_group(user_id), payload, message_type=NOTIFICATION_EVENT)
        except Exception:  # noqa: BLE001 - committed already; a lost push is only a missed live update
            import logging

            logging.getLogger(__name__).exception("Bell push to user %s failed", user_id)

    transaction.on_commit(send, robust=True)
