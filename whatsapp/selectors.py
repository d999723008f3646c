"""Reads for the WhatsApp inbox."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from orders.models import Order
from tokoblitar.errors import NotFound, ValidationFailed
from whatsapp.models import Chat, Message, WhatsAppSession


def session_get_for_seller(*, user: User, session_id: str | UUID) -> WhatsAppSession:
    """The seller's own session. NotFound (404) for an unknown id and for another store's
    session alike (existence is not leaked); ValidationFailed for an id that is not a UUID."""
    try:
        key = session_id if isinstance(session_id, UUID) else UUID(str(session_id))
    except ValueError as exc:
        raise ValidationFailed(_("sessionId must be a UUID"), code="invalid_session_id") from exc
    session = WhatsAppSession.objects.select_related("store").filter(pk=key, store__owner=user).first()
    if session is None:
        raise NotFound(_("Session not found"), code="session_not_found")
    return session


def chat_list_for_session(*, session: WhatsAppSession) -> QuerySet[Chat]:
    """Chats, most recent first, with their contact (one query)."""
    return Chat.objects.filter(session=session).select_related("contact").order_by("-last_message_at", "-created_at")


def message_list_for_chat(*, chat: Chat, limit: int = 50) -> list[Message]:
    """The last `limit` messages of a chat, oldest first."""
    rows = list(Message.objects.filter(chat=chat).order_by("-created_at")[:limit])
    return rows[::-1]


def phone_variants(phone: str) -> list[str]:
    """How one Indonesian number may be written in our rows: `628…`, `+628…`, `08…`."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if not digits:
        return []
    local = digits[2:] if digits.startswith("62") else digits.lstrip("0")
    return [f"62{local}", f"+62{local}", f"0{local}"]


def chat_orders_for_store(*, chat: Chat, limit: int = 5) -> list[Order]:
    """The store's recent orders of the person in `chat`: her account's phone or an order's
    shipping phone matches the chat's number. `@lid` and Cloud BSUID chats without a known
    phone match nothing. One query (the chat's contact and session loaded by the caller);
    orders newest first, with their shipment."""
    phone = chat.contact.phone if chat.contact_id and chat.contact else ""
    user, _sep, server = chat.remote_id.partition("@")
    if not phone and server in ("", "c.us", "s.whatsapp.net") and user.isdigit():
        phone = user
    variants = phone_variants(phone)
    if not variants:
        return []
    return list(
        Order.objects.filter(store_id=chat.session.store_id)
        .filter(Q(buyer__phone__in=variants) | Q(shipping_address__phone__in=variants))
        .select_related("shipment")
        .order_by("-created_at")[:limit]
    )
