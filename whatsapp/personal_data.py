"""What the WhatsApp inbox holds about one person, for the personal-data export (privacy app).

- A buyer: the chats (in any store's inbox) whose number is hers (her account phone, any way it
  was written: 08…, +62…, 628…, or an `@lid` sender resolved to it), with their messages.
- A seller: her store's session and chats as metadata (who wrote when, how many messages); the
  messages themselves are the buyers' words and stay out of her export.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q

from accounts.models import User
from whatsapp.models import Chat, Message, WhatsAppSession
from whatsapp.selectors import phone_variants


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _jids(variants: list[str]) -> list[str]:
    digits = [v for v in variants if v.isdigit() and v.startswith("62")]
    return [f"{d}@c.us" for d in digits] + [f"{d}@s.whatsapp.net" for d in digits] + digits


def whatsapp_export_for_buyer(*, user: User) -> list[dict]:
    """[{store, remote_id, name, messages: [{written_by_me, kind, body, status, at, has_image}]}], chats
    newest first, messages oldest first. Three queries; [] without a phone on the account."""
    variants = phone_variants(user.phone)
    if not variants:
        return []
    chats = (
        Chat.objects.filter(Q(remote_id__in=_jids(variants)) | Q(contact__phone__in=variants))
        .select_related("session__store")
        .prefetch_related(Prefetch("messages", queryset=Message.objects.order_by("created_at", "id")))
        .order_by("-last_message_at", "-created_at")
    )
    return [
        {
            "store": chat.session.store.name,
            "remote_id": chat.remote_id,
            "name": chat.name,
            "messages": [
                {
                    "written_by_me": message.direction == Message.Direction.IN,
                    "kind": message.kind,
                    "body": message.body,
                    "status": message.status,
                    "at": _iso(message.provider_timestamp or message.created_at),
                    "has_image": bool(message.media_file),
                }
                for message in chat.messages.all()
            ],
        }
        for chat in chats
    ]


def whatsapp_export_for_seller(*, user: User) -> dict | None:
    """{session: {name, provider, state, me, created_at}, chats: [{remote_id, name, messages,
    last_message_at}]} for her store's inbox, None without one. Two queries."""
    session = WhatsAppSession.objects.filter(store__owner=user).first()
    if session is None:
        return None
    chats = (
        Chat.objects.filter(session=session)
        .annotate(message_count=Count("messages"))
        .order_by("-last_message_at", "-created_at")
    )
    return {
        "session": {
            "name": session.name,
            "provider": session.provider,
            "state": session.state,
            "me": session.me_id,
            "created_at": _iso(session.created_at),
        },
        "chats": [
            {
                "remote_id": chat.remote_id,
                "name": chat.name,
                "messages": chat.message_count,
                "last_message_at": _iso(chat.last_message_at),
            }
            for chat in chats
        ],
    }
