"""Messages the platform sends from a store's WhatsApp on the store's behalf (no seller at the
keyboard): the buyer's order notices of the notifications app. They take the normal send path
(stored `queued`, sent by the task worker with retry/backoff, ticks from the gateway) and show in
the store's inbox like anything the seller sent.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.flags import require_feature, store_flags
from stores.models import Store
from tokoblitar.errors import Conflict, NotFound, ValidationFailed
from whatsapp.models import STATUS_RANK, Chat, Message, MessageStatus, SessionState, WhatsAppSession
from whatsapp.payloads import chat_payload, message_payload


def store_whatsapp_ready(*, store_id: Any) -> bool:
    """The store has `whatsapp_inbox` on and a WORKING session (two queries)."""
    if not store_flags(store=str(store_id))["whatsapp_inbox"]:
        return False
    return WhatsAppSession.objects.filter(store_id=store_id, state=SessionState.WORKING).exists()


def store_notice_send(*, store_id: Any, to: str, text: str) -> Message:
    """Queue `text` from the store's WORKING session to the number `to` (08…, +62…, 628…).

    Raises NotFound (no such store), FeatureDisabled (switch off), Conflict `session_not_ready`
    (no WORKING session) or `outside_24h_window` (Cloud API: free text only within 24 h of the
    buyer's last message), ValidationFailed (`invalid_recipient`, empty text)."""
    from whatsapp.services import CLOUD_WINDOW, MAX_TEXT, _enqueue_send, _push, normalize_recipient

    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        raise NotFound(_("Store not found"), code="store_not_found")
    require_feature(store=store, feature="whatsapp_inbox")
    session = WhatsAppSession.objects.filter(store=store).first()
    if session is None or session.state != SessionState.WORKING:
        raise Conflict(_("WhatsApp is not connected; link the phone first"), code="session_not_ready")
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        raise ValidationFailed(_("A message needs 1 to %(max)s characters"), code="invalid_message")
    remote_id = normalize_recipient(to, provider=session.provider)
    now = timezone.now()
    with transaction.atomic():
        chat, _created = Chat.objects.get_or_create(session=session, remote_id=remote_id)
        if session.provider == "cloud" and (chat.last_inbound_at is None or chat.last_inbound_at < now - CLOUD_WINDOW):
            raise Conflict(
                _("The buyer last wrote more than 24 hours ago: only a template message can be sent"),
                code="outside_24h_window",
            )
        message = Message.objects.create(
            session=session,
            chat=chat,
            direction=Message.Direction.OUT,
            body=text,
            status=MessageStatus.QUEUED,
            status_rank=STATUS_RANK[MessageStatus.QUEUED],
        )
        Chat.objects.filter(pk=chat.pk).update(last_message=text[:200], last_message_at=now)
        transaction.on_commit(partial(_enqueue_send, str(message.pk), 1, None))
        chat = Chat.objects.select_related("contact").get(pk=chat.pk)
        _push(session, "message", chat=chat_payload(chat), message=message_payload(message))
    return message
