"""JSON shapes of sessions, chats and messages, shared by the seed routes and realtime pushes."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from whatsapp.models import Chat, Message, SessionState, WhatsAppSession


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def session_payload(session: WhatsAppSession, *, health: str = "") -> dict:
    """The seed's session row (`id`, `owner_id`, `is_ready`, `is_connected`, `qr`,
    `qr_expires_at`) plus what we know for real: WAHA `state`, `last_event_at`, `last_ack`."""
    now = timezone.now()
    working = session.state == SessionState.WORKING
    expired = bool(not working and session.qr_expires_at and session.qr_expires_at <= now)
    return {
        "id": str(session.pk),
        "owner_id": str(session.store.owner_id),
        "store_id": str(session.store_id),
        "provider": session.provider,
        "name": session.name,
        "state": session.state,
        "is_ready": working,
        "is_connected": working,
        "qr": session.qr or None if not (working or expired) else None,
        "qr_expires_at": _iso(session.qr_expires_at) if not working else None,
        "qr_expired": expired,
        "me": session.me_id or None,
        "last_event_at": _iso(session.last_event_at),
        "last_ack": session.last_ack,
        "health": health,
        "created_at": _iso(session.created_at),
        "updated_at": _iso(session.updated_at),
    }


def chat_payload(chat: Chat) -> dict:
    contact = chat.contact
    return {
        "id": str(chat.pk),
        "session_id": str(chat.session_id),
        "remote_id": chat.remote_id,
        "phone": contact.phone if contact else "",
        "name": chat.name or (contact.name if contact else "") or chat.remote_id,
        "is_unread": chat.unread_count > 0,
        "unread_count": chat.unread_count,
        "last_message": chat.last_message,
        "last_message_at": _iso(chat.last_message_at),
    }


def message_payload(message: Message) -> dict:
    return {
        "id": str(message.pk),
        "chat_id": str(message.chat_id),
        "provider_message_id": message.provider_message_id,
        "from_me": message.direction == Message.Direction.OUT,
        "body": message.body,
        "status": message.status,
        "ack": message.ack,
        "error_code": message.error_code,
        "error_reason": message.error_reason,
        "timestamp": _iso(message.provider_timestamp or message.created_at),
        # "text" | "image" | "template"; an image is shown from `media_url` (seller-only route)
        # once `media_state` is "ready" ("pending" while downloading, "failed" with error_reason).
        "kind": message.kind,
        "media_state": message.media_state,
        "media_url": (
            reverse("whatsapp_api:message-media", args=[message.pk]) if message.media_state == "ready" else None
        ),
        "media_mime": message.media_mime,
        "media_size": message.media_size,
        "template_name": message.template_name,
    }
