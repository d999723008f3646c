"""`@lid` senders: WhatsApp's privacy ids carry no phone number. WAHA maps one to the phone JID
with `GET /api/{session}/lids/{lid}` → `{lid, pn}` (pn null when it does not know it yet). The
answer is cached on the contact (`phone`, `lid_checked_at`), so the chat-to-orders lookup by
phone works for these senders and the gateway is asked once, not on every message: a found
number is kept for good, a null answer is asked again after LID_RETRY.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from whatsapp.gateways import get_whatsapp_gateway
from whatsapp.gateways.base import GatewayError
from whatsapp.models import Chat, Contact
from whatsapp.payloads import chat_payload

logger = logging.getLogger(__name__)

LID_RETRY = timedelta(hours=1)


def lid_resolve_enqueue(contact_id: Any) -> None:
    from whatsapp.tasks import lid_resolve_task

    lid_resolve_task.enqueue(contact_id=int(contact_id))


def _phone_of_jid(jid: str) -> str:
    user, _sep, server = (jid or "").partition("@")
    return user if server in ("", "c.us", "s.whatsapp.net") and user.isdigit() and 8 <= len(user) <= 15 else ""


def contact_lid_resolve(*, contact_id: int, force: bool = False) -> str:
    """Ask the gateway for the phone behind one `@lid` contact and cache it. Returns "resolved",
    "unknown" (the gateway has no number yet), "cached" (asked recently or already known),
    "not_lid" or "error" (the gateway failed; asked again on the next message after LID_RETRY)."""
    contact = Contact.objects.select_related("session").filter(pk=contact_id).first()
    if contact is None or not contact.gateway_id.endswith("@lid"):
        return "not_lid"
    now = timezone.now()
    if not force and (contact.phone or (contact.lid_checked_at and contact.lid_checked_at > now - LID_RETRY)):
        return "cached"
    try:
        pn = get_whatsapp_gateway().lid_phone(contact.session.name, contact.gateway_id)
    except GatewayError as exc:
        logger.warning("lid lookup of %s failed: %s", contact.gateway_id, exc)
        Contact.objects.filter(pk=contact.pk).update(lid_checked_at=now)
        return "error"
    phone = _phone_of_jid(pn or "")
    with transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(lid_checked_at=now, **({"phone": phone} if phone else {}))
    if not phone:
        return "unknown"
    # The inbox shows the number (and the buyer's orders) as soon as it is known.
    from whatsapp.services import _push

    for chat in Chat.objects.select_related("contact").filter(contact_id=contact.pk):
        _push(contact.session, "chat", chat=chat_payload(chat))
    return "resolved"


def lid_recheck(*, contact: Contact) -> None:
    """Enqueue another lookup when a message arrives from an `@lid` contact still without a
    phone whose last answer is older than LID_RETRY."""
    if contact.gateway_id.endswith("@lid") and not contact.phone:
        if contact.lid_checked_at is None or contact.lid_checked_at <= timezone.now() - LID_RETRY:
            transaction.on_commit(lambda: lid_resolve_enqueue(contact.pk), robust=True)
