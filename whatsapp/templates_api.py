"""Cloud API message templates: the only messages Meta delivers outside the 24-hour customer
service window (free text there fails with 131047, which we refuse up front with 409
`outside_24h_window`).

`chat_templates` lists the approved templates (`GET /{WABA_ID}/message_templates`, cached
TEMPLATE_CACHE_SECONDS) with the chat's window, for the inbox's template picker;
`seller_template_send` queues one with its body parameters on the normal send path. WAHA has no
templates (a QR-linked number may write any time); the simulator offers two Indonesian ones.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tokoblitar.errors import Conflict, NotFound, ValidationFailed
from whatsapp.gateways import get_whatsapp_gateway
from whatsapp.gateways.base import GatewayError, Template
from whatsapp.models import STATUS_RANK, Chat, Message, MessageStatus, SessionState
from whatsapp.payloads import chat_payload, message_payload

TEMPLATE_CACHE_SECONDS = 600
MAX_PARAM = 1024


def chat_window(chat: Chat, *, now: datetime | None = None) -> dict:
    """{free_text: bool, expires_at: ISO | None, templates_only: bool}: whether free text (and
    images) may go to this chat now. Only the Cloud API has the window; WAHA chats are always open."""
    from whatsapp.services import CLOUD_WINDOW

    if chat.session.provider != "cloud":
        return {"free_text": True, "expires_at": None, "templates_only": False}
    now = now or timezone.now()
    ends = chat.last_inbound_at + CLOUD_WINDOW if chat.last_inbound_at else None
    open_ = bool(ends and ends > now)
    return {"free_text": open_, "expires_at": ends.isoformat() if open_ else None, "templates_only": not open_}


def templates_available() -> list[Template]:
    """The gateway's approved templates ([] for WAHA), cached. ProviderError when Meta fails."""
    gateway = get_whatsapp_gateway()
    lister = getattr(gateway, "templates_list", None)
    if lister is None:
        return []
    key = f"wa-templates:{gateway.name}:{getattr(gateway, 'waba_id', '')}"
    cached = cache.get(key)
    if cached is not None:
        return [Template(**row) for row in cached]
    try:
        found = lister()
    except GatewayError as exc:
        from whatsapp.services import _provider_error

        raise _provider_error(exc) from exc
    cache.set(key, [asdict(t) for t in found], TEMPLATE_CACHE_SECONDS)
    return found


def chat_templates(*, actor: User, chat_id: Any) -> dict:
    """{window, templates: [{name, language, category, body, params}]} for one of the seller's chats."""
    from whatsapp.selectors import chat_get_for_store
    from whatsapp.services import inbox_store_for_seller

    store = inbox_store_for_seller(actor=actor)
    chat = chat_get_for_store(store=store, chat_id=chat_id)
    return {"window": chat_window(chat), "templates": [asdict(t) for t in templates_available()]}


def template_render(template: Template, params: list[str]) -> str:
    """The template's body with `{{n}}` replaced by the n-th parameter (what the buyer reads)."""
    text = template.body
    for index, value in enumerate(params, start=1):
        text = text.replace("{{" + str(index) + "}}", value)
    return text


def seller_template_send(*, actor: User, chat_id: Any, name: str, language: str, params: list[Any]) -> Message:
    """Queue an approved template into one of the store's chats, inside or outside the 24-hour
    window. Raises NotFound (another store's chat; `template_not_found` for a name/language that
    is not approved), ValidationFailed (`invalid_params`: wrong count, empty or too long values),
    Conflict (`session_not_ready`), FeatureDisabled, ProviderError (Meta unreachable)."""
    from whatsapp.selectors import chat_get_for_store
    from whatsapp.services import _enqueue_send, _push, inbox_store_for_seller

    store = inbox_store_for_seller(actor=actor)
    chat = chat_get_for_store(store=store, chat_id=chat_id)
    session = chat.session
    template = next((t for t in templates_available() if t.name == name and t.language == language), None)
    if template is None:
        raise NotFound(_("This template is not approved for this number"), code="template_not_found")
    values = [" ".join(str(v).split()) for v in (params or [])]
    if len(values) != template.params or any(not v or len(v) > MAX_PARAM for v in values):
        message = _("This template needs %(count)s filled-in values")
        raise ValidationFailed(
            message, code="invalid_params", params={"count": template.params}, fields={"params": [message]}
        )
    if session.state != SessionState.WORKING:
        raise Conflict(
            _("WhatsApp is not connected (%(state)s); link the phone first"),
            code="session_not_ready",
            params={"state": session.state},
        )
    text = template_render(template, values)
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            session=session,
            chat=chat,
            direction=Message.Direction.OUT,
            kind="template",
            body=text,
            template_name=template.name,
            template_language=template.language,
            template_params=values,
            status=MessageStatus.QUEUED,
            status_rank=STATUS_RANK[MessageStatus.QUEUED],
            sent_by=actor,
        )
        Chat.objects.filter(pk=chat.pk).update(last_message=text[:200], last_message_at=now)
        transaction.on_commit(partial(_enqueue_send, str(message.pk), 1, None))
        chat = Chat.objects.select_related("contact").get(pk=chat.pk)
        _push(session, "message", chat=chat_payload(chat), message=message_payload(message))
    return message
