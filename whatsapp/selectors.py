"""Reads for the WhatsApp inbox."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from catalog.models import Product
from orders.models import Order
from stores.models import Store
from tokoblitar.errors import NotFound, ValidationFailed
from whatsapp.commerce import render_canned
from whatsapp.models import CannedReply, Chat, ChatLabel, Message, WhatsAppSession


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


# --- the dashboard inbox -----------------------------------------------------------------

INBOX_PAGE = 100


def session_for_store(*, store: Store) -> WhatsAppSession | None:
    """The store's session (one per store), or None before the seller connected WhatsApp."""
    return WhatsAppSession.objects.select_related("store").filter(store=store).first()


def inbox_chat_list(*, session: WhatsAppSession, search: str = "", label_id: int | None = None) -> list[Chat]:
    """The inbox list: most recent first, at most INBOX_PAGE chats, each with its contact and
    labels (two queries whatever the number of chats). `search` matches the chat's name, the
    contact's name or phone, the remote id, or the text of any of its messages (case-insensitive);
    `label_id` keeps the chats carrying that label."""
    qs = chat_list_for_session(session=session).prefetch_related("labels")
    term = (search or "").strip()[:100]
    if term:
        digits = "".join(ch for ch in term if ch.isdigit())
        match = (
            Q(name__icontains=term)
            | Q(contact__name__icontains=term)
            | Q(Exists(Message.objects.filter(chat=OuterRef("pk"), body__icontains=term)))
        )
        if len(digits) >= 3:
            # "0812 3456" and "62812…" are the same number: compare on the local part.
            local = digits[2:] if digits.startswith("62") else digits.lstrip("0")
            match |= Q(contact__phone__contains=local) | Q(remote_id__contains=local)
        qs = qs.filter(match)
    if label_id is not None:
        qs = qs.filter(labels__pk=label_id)
    return list(qs[:INBOX_PAGE])


def chat_get_for_store(*, store: Store, chat_id: str | UUID) -> Chat:
    """One chat of the store's session, with contact, session and labels; NotFound for an
    unknown id, a malformed id and another store's chat alike."""
    try:
        key = chat_id if isinstance(chat_id, UUID) else UUID(str(chat_id))
    except ValueError as exc:
        raise NotFound(_("Chat not found"), code="chat_not_found") from exc
    chat = (
        Chat.objects.select_related("contact", "session", "session__store")
        .prefetch_related("labels")
        .filter(pk=key, session__store=store)
        .first()
    )
    if chat is None:
        raise NotFound(_("Chat not found"), code="chat_not_found")
    return chat


def label_list_for_store(*, store: Store) -> list[ChatLabel]:
    return list(ChatLabel.objects.filter(store=store).order_by("name"))


def canned_reply_list_for_store(*, store: Store) -> list[CannedReply]:
    return list(CannedReply.objects.filter(store=store).order_by("shortcut"))


def canned_replies_for_chat(*, store: Store, chat: Chat, replies: list[CannedReply], orders: list[Order]) -> list[dict]:
    """The store's canned replies as they would be sent in this chat: `{shortcut, text, filled,
    unavailable}` with {nama} the chat's name, {toko} the store's and {resi}/{total} from the
    buyer's order the reply is about (`orders` newest first; see commerce.canned_order).
    A reply whose variable has no true value for this buyer has `filled` "" and `unavailable`
    its reason code ("no_shipped_order", "no_order"): it is shown greyed out, never sent."""
    name = chat.name or (chat.contact.name if chat.contact_id and chat.contact else "")
    rows = []
    for reply in replies:
        filled, reason = render_canned(reply.text, name=name, orders=orders, store_name=store.name)
        rows.append({"shortcut": reply.shortcut, "text": reply.text, "filled": filled or "", "unavailable": reason})
    return rows


def product_pick_list(*, store: Store, limit: int = 100) -> list[Product]:
    """The store's products a card can be sent for (active, not deleted), by name."""
    return list(Product.objects.alive().filter(store=store).order_by("name")[:limit])
