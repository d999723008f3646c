"""Writes of the WhatsApp inbox: seller entry services (they take the acting seller, scope to
her store, check the `whatsapp_inbox` switch) and the webhook appliers (no actor: the gateway
is authenticated by its signature).

Invariants:
- one session per store (a unique store key); another seller's session is NotFound;
- a message is stored once per (session, provider message id): retried or duplicated webhooks
  answer "duplicate" and change nothing; only a newly stored inbound message bumps the unread count;
- a message's status only moves up `STATUS_RANK`, in one conditional UPDATE, so statuses that
  arrive out of order (or concurrently) never move it back;
- realtime pushes to `whatsapp.inbox.<store id>` leave after commit.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from catalog.models import Product
from orders.models import Order
from stores.flags import require_feature
from stores.models import Store
from stores.selectors import store_get_for_seller
from tokoblitar.errors import Conflict, NotFound, ProviderError, ValidationFailed
from tokoblitar.realtime import push
from whatsapp.commerce import payment_link_text, product_card_text, tracking_text
from whatsapp.gateways import get_whatsapp_gateway
from whatsapp.gateways.base import GatewayError, SessionInfo, SessionStateError
from whatsapp.models import (
    STATUS_RANK,
    CannedReply,
    Chat,
    ChatLabel,
    Contact,
    LabelColour,
    Message,
    MessageStatus,
    PendingAck,
    SessionState,
    WhatsAppSession,
)
from whatsapp.payloads import chat_payload, message_payload, session_payload
from whatsapp.selectors import session_get_for_seller

logger = logging.getLogger(__name__)

FEATURE = "whatsapp_inbox"
FIRST_QR_SECONDS = 60
NEXT_QR_SECONDS = 20
MAX_TEXT = 4096
# A WORKING session that sent us no event for this long while sends fail or hang is "degraded".
HEALTH_SILENCE = timedelta(minutes=2)
HEALTH_WINDOW = timedelta(minutes=15)
# Cloud API: free text only within 24 h of the buyer's last message (else a template).
CLOUD_WINDOW = timedelta(hours=24)
WAHA_ACK_STATUS = {
    -1: MessageStatus.FAILED,
    0: MessageStatus.QUEUED,
    1: MessageStatus.SENT,
    2: MessageStatus.DELIVERED,
    3: MessageStatus.READ,
    4: MessageStatus.READ,
}
CLOUD_STATUS = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "played": MessageStatus.READ,
    "failed": MessageStatus.FAILED,
}


def inbox_group(store_id: Any) -> str:
    """The Channels group of a store's inbox."""
    return f"whatsapp.inbox.{store_id}"


def _push(target: WhatsAppSession, kind: str, **data: Any) -> None:
    push(inbox_group(target.store_id), {"kind": kind, **data}, message_type="whatsapp.event")


def _provider_error(exc: GatewayError) -> ProviderError:
    error = ProviderError(exc.provider, _("%(provider)s could not do this now, please try again"))
    error.reason = str(exc)
    return error


# --- sessions ----------------------------------------------------------------------------


def inbox_store_for_seller(*, actor: User) -> Store:
    """The seller's store once its `whatsapp_inbox` switch is on: FeatureDisabled (403) first,
    before any session or chat is looked up, so a switched-off store learns nothing about ids."""
    store = store_get_for_seller(user=actor)
    require_feature(store=store, feature=FEATURE)
    return store


def _owned(actor: User, session_id: Any) -> WhatsAppSession:
    inbox_store_for_seller(actor=actor)
    if not session_id:
        raise ValidationFailed(_("sessionId is required"), code="session_id_required")
    return session_get_for_seller(user=actor, session_id=session_id)


def _state_apply(session: WhatsAppSession, state: str, *, me: str = "", me_name: str = "") -> bool:
    """Record a state the gateway reported (caller holds the row lock and saves). True when changed."""
    if state not in SessionState.values:
        return False
    changed = state != session.state
    if changed:
        session.state = state
        session.state_changed_at = timezone.now()
    if state in (SessionState.STARTING, SessionState.WORKING):
        # A QR belongs to one SCAN_QR_CODE period; a new start counts from the 60 s QR again.
        session.qr, session.qr_issued_at, session.qr_expires_at = "", None, None
        session.qr_count = 0
    elif state in (SessionState.STOPPED, SessionState.FAILED) and session.qr:
        # The last QR died with the session: keep it as "expired" so the seed's QR route says so.
        now = timezone.now()
        if session.qr_expires_at is None or session.qr_expires_at > now:
            session.qr_expires_at = now
    if state == SessionState.WORKING and me:
        session.me_id, session.me_name = me, me_name or session.me_name
    return changed


def _info_apply(
    session_pk: Any, info: SessionInfo, *, announce: bool = False, unlinked: bool = False
) -> WhatsAppSession:
    """Record the gateway's answer or event under the row lock; push when the state changed
    (or always with `announce`: WAHA re-emits SCAN_QR_CODE on each new QR, the page re-fetches).
    `unlinked` (after a logout): the phone's account is no longer linked, so it is forgotten."""
    with transaction.atomic():
        session = WhatsAppSession.objects.select_for_update().select_related("store").get(pk=session_pk)
        if unlinked:
            session.me_id, session.me_name = "", ""
        if _state_apply(session, info.status, me=info.me, me_name=info.me_name) or announce or unlinked:
            _push(session, "session", session=session_payload(session))
        session.save()
    return session


def seller_session_create(*, actor: User) -> tuple[WhatsAppSession, bool]:
    """The seller's session, created and started on first call (one per store). Returns
    (session, created). A stopped or failed session is started again. Raises FeatureDisabled,
    Conflict (the Cloud number already serves another store), ProviderError (gateway down)."""
    store = store_get_for_seller(user=actor)
    require_feature(store=store, feature=FEATURE)
    gateway = get_whatsapp_gateway()
    session = WhatsAppSession.objects.select_related("store").filter(store=store).first()
    created = False
    if session is None:
        name = getattr(gateway, "phone_number_id", "") or f"tb-{store.pk.hex[:20]}"
        try:
            with transaction.atomic():
                session = WhatsAppSession.objects.create(store=store, name=name, provider=gateway.name)
            created = True
        except IntegrityError:
            session = WhatsAppSession.objects.select_related("store").filter(store=store).first()
            if session is None:
                raise Conflict(
                    _("This WhatsApp number is already linked to another store"), code="number_taken"
                ) from None
    if created or session.state in (SessionState.STOPPED, SessionState.FAILED):
        try:
            info = gateway.session_start(session.name)
        except GatewayError as exc:
            raise _provider_error(exc) from exc
        session = _info_apply(session.pk, info)
    return session, created


def seller_session_status(*, actor: User, session_id: Any) -> WhatsAppSession:
    """The session as the gateway reports it now; when the gateway cannot be reached, the last
    state we were told (never a guess)."""
    session = _owned(actor, session_id)
    try:
        info = get_whatsapp_gateway().session_status(session.name)
    except GatewayError as exc:
        logger.warning("WhatsApp status of %s unavailable: %s", session.name, exc)
        return session
    return _info_apply(session.pk, info)


def seller_session_action(*, actor: User, session_id: Any, action: str) -> WhatsAppSession:
    """stop | logout | restart on the gateway; the answer's state is recorded."""
    session = _owned(actor, session_id)
    gateway = get_whatsapp_gateway()
    calls = {"stop": gateway.session_stop, "logout": gateway.session_logout, "restart": gateway.session_restart}
    if action not in calls:
        raise ValidationFailed(_("Unknown session action"), code="invalid_action")
    try:
        info = calls[action](session.name)
    except GatewayError as exc:
        raise _provider_error(exc) from exc
    return _info_apply(session.pk, info, unlinked=action == "logout")


def session_health(session: WhatsAppSession, *, now: datetime | None = None) -> str:
    """ "ok", "degraded" (WORKING, but silent while recent sends failed or hang unacknowledged:
    the phone may be unlinked while the gateway still says WORKING) or "offline"."""
    if session.state != SessionState.WORKING:
        return "offline"
    now = now or timezone.now()
    silent = session.last_event_at is None or session.last_event_at < now - HEALTH_SILENCE
    troubled = Message.objects.filter(
        session=session,
        direction=Message.Direction.OUT,
        status__in=[MessageStatus.QUEUED, MessageStatus.FAILED],
        created_at__gte=now - HEALTH_WINDOW,
        created_at__lte=now - HEALTH_SILENCE,
    ).exists()
    return "degraded" if silent and troubled else "ok"


@dataclass
class QrAnswer:
    session: WhatsAppSession
    connected: bool = False
    qr: str | None = None
    expires_at: datetime | None = None
    expired: bool = False


def seller_qr_get(*, actor: User, session_id: Any) -> QrAnswer:
    """The QR to scan, fetched from the gateway (`auth/qr?format=raw`), with its expiry: the
    gateway's when it knows it, else the engine cadence (first QR 60 s, later ones 20 s)."""
    session = _owned(actor, session_id)
    if session.state == SessionState.WORKING:
        return QrAnswer(session=session, connected=True)
    gateway = get_whatsapp_gateway()
    if not gateway.has_qr:
        return QrAnswer(session=_info_apply(session.pk, gateway.session_status(session.name)), connected=True)
    now = timezone.now()
    try:
        code = gateway.qr_raw(session.name)
    except SessionStateError as exc:
        session = _info_apply(session.pk, SessionInfo(name=session.name, status=exc.state))
        if session.state == SessionState.WORKING:
            return QrAnswer(session=session, connected=True)
        expired = bool(session.qr_expires_at and session.qr_expires_at <= timezone.now())
        return QrAnswer(session=session, expired=expired)
    except GatewayError as exc:
        raise _provider_error(exc) from exc
    with transaction.atomic():
        session = WhatsAppSession.objects.select_for_update().select_related("store").get(pk=session.pk)
        if code.value != session.qr:
            session.qr_count += 1
            lifetime = FIRST_QR_SECONDS if session.qr_count == 1 else NEXT_QR_SECONDS
            session.qr, session.qr_issued_at = code.value, now
            session.qr_expires_at = code.expires_at or now + timedelta(seconds=lifetime)
            _state_apply(session, SessionState.SCAN_QR_CODE)
            session.save()
    if session.qr_expires_at and session.qr_expires_at <= now:
        return QrAnswer(session=session, expired=True, expires_at=session.qr_expires_at)
    return QrAnswer(session=session, qr=session.qr, expires_at=session.qr_expires_at)


# --- outgoing ----------------------------------------------------------------------------

_JID = re.compile(r"^(\d{6,20})@(c\.us|s\.whatsapp\.net|lid)$")


def normalize_recipient(to: str, *, provider: str) -> str:
    """The chat id for `to`: WAHA `628…@c.us` / `…@lid`, Cloud API digits. Indonesian numbers
    written `08…` or `+62 …` become `628…`. ValidationFailed for anything else."""
    raw = (to or "").strip()
    if "@" not in raw:
        raw = re.sub(r"[\s\-().]", "", raw)  # a number as people write it: "+62 812-3456.7890"
    match = _JID.match(raw)
    if match:
        user, server = match.groups()
        if server == "lid":
            if provider == "cloud":
                raise ValidationFailed(_("The Cloud API cannot send to a privacy id"), code="invalid_recipient")
            return f"{user}@lid"
    else:
        user = raw[1:] if raw.startswith("+") else raw
        if user.startswith("0"):
            user = "62" + user[1:]
        if not re.fullmatch(r"\d{8,15}", user):
            raise ValidationFailed(
                _("Enter a WhatsApp number like 6281234567890"),
                code="invalid_recipient",
                fields={"to": [_("Enter a WhatsApp number like 6281234567890")]},
            )
    return user if provider == "cloud" else f"{user}@c.us"


def _phone_of(remote_id: str) -> str:
    user, _sep, server = remote_id.partition("@")
    return user if server in ("", "c.us", "s.whatsapp.net") and user.isdigit() else ""


def seller_message_send(*, actor: User, session_id: Any, to: str, text: str) -> tuple[Chat, Message]:
    """Store an outgoing text as `queued` and hand it to the task worker (after commit).
    Raises ValidationFailed (empty/too long text, bad number), Conflict when the session is
    not connected (the state we know), NotFound, FeatureDisabled."""
    session = _owned(actor, session_id)
    # Browsers submit a textarea's line breaks as CRLF; WhatsApp messages use LF.
    text = (text or "").replace("\r\n", "\n").strip()
    if not text or len(text) > MAX_TEXT:
        raise ValidationFailed(
            _("A message needs 1 to %(max)s characters"), code="invalid_message", params={"max": MAX_TEXT}
        )
    if session.state != SessionState.WORKING:
        raise Conflict(
            _("WhatsApp is not connected (%(state)s); link the phone first"),
            code="session_not_ready",
            params={"state": session.state},
        )
    remote_id = normalize_recipient(to, provider=session.provider)
    now = timezone.now()
    with transaction.atomic():
        chat, _created = Chat.objects.get_or_create(session=session, remote_id=remote_id)
        if session.provider == "cloud" and (chat.last_inbound_at is None or chat.last_inbound_at < now - CLOUD_WINDOW):
            # Meta would accept it and fail it later with 131047; say so now instead.
            raise Conflict(
                _("The buyer last wrote more than 24 hours ago: only a template message can be sent"),
                code="outside_24h_window",
            )
        Chat.objects.filter(pk=chat.pk).update(last_message=text[:200], last_message_at=now)
        message = Message.objects.create(
            session=session,
            chat=chat,
            direction=Message.Direction.OUT,
            body=text,
            status=MessageStatus.QUEUED,
            status_rank=STATUS_RANK[MessageStatus.QUEUED],
            sent_by=actor,
        )
        chat.refresh_from_db()
        transaction.on_commit(partial(_enqueue_send, str(message.pk), 1, None))
        _push(session, "message", chat=chat_payload(chat), message=message_payload(message))
    return chat, message


QUICK_ACTIONS = ("product_card", "payment_link", "tracking")


def seller_quick_send(*, actor: User, session_id: Any, chat_id: Any, action: str, object_id: Any) -> Message:
    """Send a commerce quick action into a chat: `product_card` (a product of this store),
    `payment_link` (the QRIS page of this store's pending order) or `tracking` (an order's
    status and waybill). NotFound for another store's chat, product or order; Conflict
    `order_not_pending` for a payment link of an order that no longer awaits payment."""
    session = _owned(actor, session_id)
    chat = Chat.objects.filter(pk=chat_id, session=session).first()
    if chat is None:
        raise NotFound(_("Chat not found"), code="chat_not_found")
    if action == "product_card":
        product = Product.objects.alive().select_related("store").filter(pk=object_id, store=session.store).first()
        if product is None:
            raise NotFound(_("Product not found"), code="product_not_found")
        text = product_card_text(product)
    elif action in ("payment_link", "tracking"):
        order = Order.objects.select_related("shipment").filter(pk=object_id, store=session.store).first()
        if order is None:
            raise NotFound(_("Order not found"), code="order_not_found")
        if action == "tracking":
            text = tracking_text(order)
        else:
            text = payment_link_text(order)
            if text is None:
                raise Conflict(_("This order no longer awaits payment"), code="order_not_pending")
    else:
        raise ValidationFailed(_("Unknown quick action"), code="invalid_action")
    _chat, message = seller_message_send(actor=actor, session_id=session.pk, to=chat.remote_id, text=text)
    return message


def _enqueue_send(message_id: str, attempt: int, run_after: datetime | None) -> None:
    from whatsapp.tasks import message_send_task

    message_send_task.using(run_after=run_after).enqueue(message_id=message_id, attempt=attempt)


def message_deliver(*, message_id: str, attempt: int) -> str:
    """The task body: send one queued message (attempt n of WHATSAPP_SEND_MAX_ATTEMPTS).

    A duplicate task for an attempt already made does nothing ("skipped"). A retryable gateway
    failure (network, 5xx, throughput, WAHA's 422 while the session reconnects) schedules attempt
    n+1 after BACKOFF·2^(n-1) s ("retry"); otherwise, or after the last attempt, the message is
    failed with the provider's code and reason ("failed"). Returns the outcome."""
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("session", "chat").filter(pk=message_id).first()
        if message is None or message.status != MessageStatus.QUEUED or message.provider_message_id:
            return "skipped"
        if message.attempts >= attempt:
            return "skipped"
        message.attempts = attempt
        message.next_attempt_at = None
        message.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
    session = message.session
    try:
        sent = _gateway_send(get_whatsapp_gateway(), session, message)
    except GatewayError as exc:
        if exc.retryable and attempt < settings.WHATSAPP_SEND_MAX_ATTEMPTS:
            wait = min(settings.WHATSAPP_SEND_BACKOFF_SECONDS * 2 ** (attempt - 1), 3600)
            run_after = timezone.now() + timedelta(seconds=wait)
            Message.objects.filter(pk=message.pk).update(
                next_attempt_at=run_after, error_code=exc.code[:40], error_reason=str(exc)[:500]
            )
            _enqueue_send(str(message.pk), attempt + 1, run_after)
            return "retry"
        with transaction.atomic():
            _status_set(session, message.pk, MessageStatus.FAILED, code=exc.code, reason=str(exc))
        return "failed"
    with transaction.atomic():
        _ack_lock(session, sent.id)  # an ack for this id waits (or was kept) while the id is saved
        Message.objects.filter(pk=message.pk).update(
            provider_message_id=sent.id, error_code="", error_reason="", updated_at=timezone.now()
        )
        _pending_acks_apply(session, message.pk, sent.id)
    return "sent"


def _gateway_send(gateway: Any, session: WhatsAppSession, message: Message) -> Any:
    """One send call for the message's kind: text, image (whatsapp.media) or template."""
    if message.kind == "image":
        from whatsapp.media import image_gateway_send

        return image_gateway_send(gateway, session, message)
    if message.kind == "template":
        return gateway.send_template(
            session.name,
            message.chat.remote_id,
            name=message.template_name,
            language=message.template_language,
            params=[str(x) for x in message.template_params],
        )
    return gateway.send_text(session.name, message.chat.remote_id, message.body)


# An early ack kept this long without its message (one sent from the phone itself) is dropped.
PENDING_ACK_TTL = timedelta(hours=1)


def _ack_lock(session: WhatsAppSession, provider_id: str) -> None:
    """Serialise "save the provider id" and "apply an ack for it" (transaction-scoped advisory
    lock): whichever commits second sees the other's row, so no early ack is lost."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"wa-ack:{session.pk}:{provider_id}"])


def _pending_acks_apply(session: WhatsAppSession, message_pk: Any, provider_id: str) -> int:
    """Apply the statuses that arrived before the id was saved, lowest rank first (each only
    moves the status up), then forget them. Returns how many moved it."""
    rows = list(PendingAck.objects.filter(session=session, provider_message_id=provider_id))
    rows.sort(key=lambda row: STATUS_RANK[row.status])
    moved = sum(
        _status_set(session, message_pk, row.status, ack=row.ack, code=row.error_code, reason=row.error_reason)
        for row in rows
    )
    if rows:
        PendingAck.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return moved


def _status_set(
    session: WhatsAppSession, message_pk: Any, status: str, *, ack: int | None = None, code: str = "", reason: str = ""
) -> bool:
    """Move one message to `status` unless it is already there or further (one UPDATE)."""
    rank = STATUS_RANK[status]
    fields: dict[str, Any] = {"status": status, "status_rank": rank, "updated_at": timezone.now()}
    if ack is not None:
        fields["ack"] = ack
    if status == MessageStatus.FAILED:
        fields["error_code"], fields["error_reason"] = code[:40], reason[:500]
    moved = Message.objects.filter(pk=message_pk, status_rank__lt=rank).update(**fields)
    if moved:
        message = Message.objects.get(pk=message_pk)
        _push(session, "status", message=message_payload(message))
    return bool(moved)


def _status_by_provider_id(
    session: WhatsAppSession, provider_id: str, status: str, *, ack: int | None = None, code: str = "", reason: str = ""
) -> str:
    if not provider_id:
        return "unknown_message"
    with transaction.atomic():
        _ack_lock(session, provider_id)
        pk = (
            Message.objects.filter(session=session, provider_message_id=provider_id)
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            # An ack that beat our send task's commit (or a message sent from the phone itself):
            # kept, and applied when the send task saves this id.
            _row, created = PendingAck.objects.get_or_create(
                session=session,
                provider_message_id=provider_id[:200],
                status=status,
                defaults={"ack": ack, "error_code": code[:40], "error_reason": reason[:500]},
            )
            if created:
                PendingAck.objects.filter(created_at__lt=timezone.now() - PENDING_ACK_TTL).delete()
            return "pending_ack"
        moved = _status_set(session, pk, status, ack=ack, code=code, reason=reason)
    return "applied" if moved else "stale_status"


# --- incoming ----------------------------------------------------------------------------


def _inbound_store(
    session: WhatsAppSession,
    *,
    remote_id: str,
    provider_id: str,
    body: str,
    at: datetime,
    phone: str = "",
    name: str = "",
    media_ref: str = "",
    media_mime: str = "",
) -> str:
    """Store one inbound message once; "stored" or "duplicate". An image (`media_ref`: the
    provider's handle) is fetched by a task after commit (whatsapp.media); an `@lid` sender's
    phone is looked up once through the gateway (whatsapp.lids)."""
    with transaction.atomic():
        contact, _created = Contact.objects.get_or_create(session=session, gateway_id=remote_id)
        updates = {k: v for k, v in (("phone", phone), ("name", name)) if v and getattr(contact, k) != v}
        if updates:
            Contact.objects.filter(pk=contact.pk).update(**updates, updated_at=timezone.now())
        chat, _created = Chat.objects.get_or_create(session=session, remote_id=remote_id, defaults={"contact": contact})
        try:
            with transaction.atomic():
                message = Message.objects.create(
                    session=session,
                    chat=chat,
                    provider_message_id=provider_id,
                    direction=Message.Direction.IN,
                    body=body,
                    status=MessageStatus.RECEIVED,
                    status_rank=STATUS_RANK[MessageStatus.RECEIVED],
                    sender_name=name[:200],
                    provider_timestamp=at,
                    **(_inbound_media(media_ref, media_mime) if media_ref else {}),
                )
        except IntegrityError:
            return "duplicate"
        if media_ref:
            from whatsapp.media import media_fetch_enqueue

            transaction.on_commit(partial(media_fetch_enqueue, str(message.pk)), robust=True)
        if remote_id.endswith("@lid"):
            from whatsapp.lids import lid_recheck

            lid_recheck(contact=contact)
        Chat.objects.filter(pk=chat.pk).update(
            contact=contact,
            name=name[:200] or chat.name,
            unread_count=F("unread_count") + 1,
            last_message=body[:200],
            last_message_at=at,
            last_inbound_at=at,
            updated_at=timezone.now(),
        )
        chat = Chat.objects.select_related("contact").get(pk=chat.pk)
        _push(session, "message", chat=chat_payload(chat), message=message_payload(message))
    return "stored"


def _inbound_media(ref: str, mime: str) -> dict:
    return {"kind": "image", "media_ref": ref[:1000], "media_mime": mime[:100], "media_state": "pending"}


def _touch(session: WhatsAppSession, **fields: Any) -> None:
    WhatsAppSession.objects.filter(pk=session.pk).update(last_event_at=timezone.now(), **fields)


def _epoch(value: Any, *, millis: bool = False) -> datetime:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return timezone.now()
    return datetime.fromtimestamp(number / 1000 if millis else number, tz=UTC)


def waha_event_apply(*, event: dict) -> str:
    """Apply one authenticated WAHA webhook event; returns the outcome for the log.

    `session.status` records the state; `message` (inbound) is stored once; `message.ack`
    moves the message's status forward. Other events are ignored. Unknown sessions: "unknown_session"."""
    session = (
        WhatsAppSession.objects.select_related("store")
        .filter(name=str(event.get("session") or ""), provider__in=["waha", "simulator"])
        .first()
    )
    if session is None:
        return "unknown_session"
    kind = event.get("event")
    payload = event.get("payload") if isinstance(event.get("payload"), dict) else {}
    if kind == "session.status":
        _touch(session)
        me = event.get("me") if isinstance(event.get("me"), dict) else {}
        info = SessionInfo(
            name=session.name,
            status=str(payload.get("status") or ""),
            me=str(me.get("id") or ""),
            me_name=str(me.get("pushName") or ""),
        )
        _info_apply(session.pk, info, announce=info.status == SessionState.SCAN_QR_CODE)
        return "session_status"
    if kind == "message":
        _touch(session)
        if payload.get("fromMe"):
            return "ignored"
        remote_id = str(payload.get("from") or "")
        provider_id = str(payload.get("id") or "")
        if not remote_id or not provider_id:
            raise ValidationFailed(_("Message event without from or id"), code="malformed")
        if remote_id.endswith(("@g.us", "@broadcast", "@newsletter")):
            return "ignored"  # groups, status updates and channels are not buyers writing to the store
        data = payload.get("_data") if isinstance(payload.get("_data"), dict) else {}
        body = str(payload.get("body") or "") or ("[media]" if payload.get("hasMedia") else "")
        media = payload.get("media") if isinstance(payload.get("media"), dict) else {}
        mime = str(media.get("mimetype") or "")
        image_url = str(media.get("url") or "") if payload.get("hasMedia") and mime.startswith("image/") else ""
        if image_url and body == "[media]":
            body = ""  # a photo without a caption
        return _inbound_store(
            session,
            media_ref=image_url,
            media_mime=mime,
            remote_id=remote_id,
            provider_id=provider_id,
            body=body,
            at=_epoch(payload.get("timestamp")),
            phone=_phone_of(remote_id),
            name=str(data.get("notifyName") or ""),
        )
    if kind == "message.ack":
        try:
            ack = int(payload.get("ack"))
        except (TypeError, ValueError):
            raise ValidationFailed(_("Ack event without a valid ack"), code="malformed") from None
        _touch(session, last_ack=ack, last_ack_at=timezone.now())
        status = WAHA_ACK_STATUS.get(ack)
        if status is None or status == MessageStatus.QUEUED:
            return "ignored"
        reason = "WhatsApp reported an error (ack -1)" if ack == -1 else ""
        return _status_by_provider_id(
            session, str(payload.get("id") or ""), status, ack=ack, code="ack_error" if ack == -1 else "", reason=reason
        )
    _touch(session)
    return "ignored"


def cloud_webhook_apply(*, payload: dict) -> str:
    """Apply one authenticated Cloud API webhook (`entry[].changes[].value` with `messages`,
    `contacts`, `statuses`). A `failed` status carries `errors[0]` (131047 outside the 24-hour
    window). Returns a summary outcome ("stored", "duplicate", "applied", … or "ignored")."""
    outcomes: list[str] = []
    for entry in payload.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            phone_number_id = str((value.get("metadata") or {}).get("phone_number_id") or "")
            session = (
                WhatsAppSession.objects.select_related("store").filter(name=phone_number_id, provider="cloud").first()
            )
            if session is None:
                outcomes.append("unknown_session")
                continue
            _touch(session)
            contacts = {}
            for contact in value.get("contacts") or []:
                key = contact.get("wa_id") or contact.get("user_id")
                if key:
                    contacts[str(key)] = contact
            for message in value.get("messages") or []:
                remote_id = str(message.get("from") or message.get("from_user_id") or "")
                contact = contacts.get(remote_id, {})
                body = (message.get("text") or {}).get("body") if message.get("type") == "text" else ""
                image = message.get("image") if message.get("type") == "image" else None
                image = image if isinstance(image, dict) else {}
                if image:
                    body = str(image.get("caption") or "")
                outcomes.append(
                    _inbound_store(
                        session,
                        media_ref=str(image.get("id") or ""),
                        media_mime=str(image.get("mime_type") or ""),
                        remote_id=remote_id,
                        provider_id=str(message.get("id") or ""),
                        body=str(body or ("" if image else f"[{message.get('type') or 'pesan'}]")),
                        at=_epoch(message.get("timestamp")),
                        phone=str(contact.get("wa_id") or ""),
                        name=str((contact.get("profile") or {}).get("name") or ""),
                    )
                )
            for status in value.get("statuses") or []:
                ours = CLOUD_STATUS.get(str(status.get("status") or ""))
                if ours is None:
                    outcomes.append("ignored")
                    continue
                errors = status.get("errors") or []
                error = errors[0] if errors and isinstance(errors[0], dict) else {}
                details = (
                    (error.get("error_data") or {}).get("details") if isinstance(error.get("error_data"), dict) else ""
                )
                reason = " - ".join(str(x) for x in (error.get("title") or error.get("message"), details) if x)
                outcomes.append(
                    _status_by_provider_id(
                        session, str(status.get("id") or ""), ours, code=str(error.get("code") or ""), reason=reason
                    )
                )
    if not outcomes:
        return "ignored"
    return outcomes[0] if len(set(outcomes)) == 1 else "mixed"


def simulator_pump() -> int:
    """Run the offline gateway's delivery pump (no-op when WhatsApp runs live)."""
    gateway = get_whatsapp_gateway()
    pump = getattr(gateway, "pump", None)
    return pump() if pump is not None else 0


# --- the dashboard inbox -----------------------------------------------------------------


def seller_chat_mark_read(*, actor: User, chat_id: Any) -> Chat:
    """The seller opened the chat: its unread count goes to 0 (pushed to her other tabs when it
    changed). NotFound for another store's chat."""
    from whatsapp.selectors import chat_get_for_store

    store = inbox_store_for_seller(actor=actor)
    chat = chat_get_for_store(store=store, chat_id=chat_id)
    if chat.unread_count and Chat.objects.filter(pk=chat.pk, unread_count__gt=0).update(unread_count=0):
        chat.unread_count = 0
        _push(chat.session, "chat", chat=chat_payload(chat))
    return chat


def seller_chat_reply(*, actor: User, chat_id: Any, text: str) -> Message:
    """Answer in an existing chat (the composer): stored `queued` and sent by the task worker,
    as `seller_message_send`. NotFound for another store's chat; ValidationFailed, Conflict as there."""
    from whatsapp.selectors import chat_get_for_store

    store = inbox_store_for_seller(actor=actor)
    chat = chat_get_for_store(store=store, chat_id=chat_id)
    _chat, message = seller_message_send(actor=actor, session_id=chat.session_id, to=chat.remote_id, text=text)
    return message


LABEL_NAME_MAX = 40
CANNED_TEXT_MAX = 1000
_SHORTCUT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")


def seller_label_create(*, actor: User, name: str, colour: str) -> ChatLabel:
    """A new label of the seller's store. ValidationFailed for an empty/too long name or a colour
    outside the palette; Conflict `label_exists` for a name the store already has (any case)."""
    store = inbox_store_for_seller(actor=actor)
    name = " ".join((name or "").split())
    if not name or len(name) > LABEL_NAME_MAX:
        message = _("A label name needs 1 to %(max)s characters")
        raise ValidationFailed(
            message, code="invalid_label", params={"max": LABEL_NAME_MAX}, fields={"name": [message]}
        )
    if colour not in LabelColour.values:
        raise ValidationFailed(
            _("Choose a colour from the list"),
            code="invalid_colour",
            fields={"colour": [_("Choose a colour from the list")]},
        )
    if ChatLabel.objects.filter(store=store, name__iexact=name).exists():
        raise Conflict(
            _("This label already exists"), code="label_exists", fields={"name": [_("This label already exists")]}
        )
    try:
        with transaction.atomic():
            return ChatLabel.objects.create(store=store, name=name, colour=colour)
    except IntegrityError:
        raise Conflict(_("This label already exists"), code="label_exists") from None


def seller_label_delete(*, actor: User, label_id: Any) -> None:
    """Delete one of the store's labels (it leaves every chat). NotFound for another store's."""
    store = inbox_store_for_seller(actor=actor)
    deleted, _rows = ChatLabel.objects.filter(pk=_int_id(label_id), store=store).delete()
    if not deleted:
        raise NotFound(_("Label not found"), code="label_not_found")


def seller_chat_labels_set(*, actor: User, chat_id: Any, label_ids: list[Any]) -> Chat:
    """Replace the chat's labels with `label_ids` (all of them the store's own: NotFound
    otherwise, and nothing changes)."""
    from whatsapp.selectors import chat_get_for_store

    store = inbox_store_for_seller(actor=actor)
    chat = chat_get_for_store(store=store, chat_id=chat_id)
    wanted = {_int_id(x) for x in label_ids}
    labels = list(ChatLabel.objects.filter(store=store, pk__in=wanted))
    if len(labels) != len(wanted):
        raise NotFound(_("Label not found"), code="label_not_found")
    chat.labels.set(labels)
    _push(chat.session, "chat", chat=chat_payload(chat))
    return chat


def _int_id(value: Any) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise NotFound(_("Label not found"), code="not_found") from None
    if not 0 < number < 2**31:
        raise NotFound(_("Label not found"), code="not_found")
    return number


def _canned_clean(shortcut: str, text: str) -> tuple[str, str]:
    shortcut = (shortcut or "").strip().lstrip("/").lower()
    text = (text or "").strip()
    fields: dict[str, list] = {}
    if not _SHORTCUT.match(shortcut):
        fields["shortcut"] = [_("Use 1 to 30 lowercase letters, digits, - or _ (e.g. ongkir)")]
    if not text or len(text) > CANNED_TEXT_MAX:
        fields["text"] = [_("A reply needs 1 to %(max)s characters") % {"max": CANNED_TEXT_MAX}]
    if fields:
        raise ValidationFailed(_("Check the canned reply"), code="invalid_canned_reply", fields=fields)
    return shortcut, text


def seller_canned_reply_save(*, actor: User, shortcut: str, text: str, reply_id: Any = None) -> CannedReply:
    """Create a canned reply, or update `reply_id` (the store's own: NotFound otherwise).
    ValidationFailed for a bad shortcut or text; Conflict `shortcut_exists` for a shortcut the
    store already uses on another reply."""
    store = inbox_store_for_seller(actor=actor)
    shortcut, text = _canned_clean(shortcut, text)
    clash = CannedReply.objects.filter(store=store, shortcut=shortcut)
    if reply_id:
        reply = CannedReply.objects.filter(pk=_int_id(reply_id), store=store).first()
        if reply is None:
            raise NotFound(_("Canned reply not found"), code="canned_reply_not_found")
        clash = clash.exclude(pk=reply.pk)
    else:
        reply = CannedReply(store=store)
    message = _("This shortcut is already used")
    if clash.exists():
        raise Conflict(message, code="shortcut_exists", fields={"shortcut": [message]})
    reply.shortcut, reply.text = shortcut, text
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        raise Conflict(message, code="shortcut_exists", fields={"shortcut": [message]}) from None
    return reply


def seller_canned_reply_delete(*, actor: User, reply_id: Any) -> None:
    store = inbox_store_for_seller(actor=actor)
    deleted, _rows = CannedReply.objects.filter(pk=_int_id(reply_id), store=store).delete()
    if not deleted:
        raise NotFound(_("Canned reply not found"), code="canned_reply_not_found")


# --- simulator controls (dashboard buttons; offline gateway only) -------------------------


def _simulator(session: WhatsAppSession):  # noqa: ANN202 - SimulatorGateway, imported lazily
    from whatsapp.gateways.simulator import SimulatorGateway

    gateway = get_whatsapp_gateway()
    if not isinstance(gateway, SimulatorGateway) or session.provider != "simulator":
        raise Conflict(_("These controls exist only in simulator mode"), code="not_simulator")
    return gateway


def seller_simulator_scan(*, actor: User, session_id: Any, qr: str) -> WhatsAppSession:
    """The simulated phone scans `qr` (the value the page showed): accepted only when it is the
    gateway's current, unexpired QR, as a real phone would; the gateway's answer (WORKING) is
    recorded. Conflict `qr_invalid` otherwise (nothing changes)."""
    session = _owned(actor, session_id)
    gateway = _simulator(session)
    try:
        info = gateway.scan(session.name, qr)
    except GatewayError as exc:
        raise Conflict(_("This QR is no longer valid; scan the one shown now"), code=exc.code or "qr_invalid") from exc
    return _info_apply(session.pk, info)


def seller_simulator_buyer(*, actor: User, session_id: Any, text: str = "") -> str:
    """The simulated buyer (Bu Rina) writes `text` (or one of her openers); it arrives through
    the signed webhook like any message. Conflict when the phone is not linked."""
    session = _owned(actor, session_id)
    gateway = _simulator(session)
    try:
        return gateway.buyer_write(session.name, (text or "").strip()[:MAX_TEXT])
    except GatewayError as exc:
        raise Conflict(_("Link the phone first"), code="session_not_ready") from exc
