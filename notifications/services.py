"""Writes: creating notifications (once per event and recipient), emailing them, marking them read,
and each user's preferences.

Flow: a domain event (tokoblitar/events.py, after commit) -> a subscriber enqueues
`notify_order` (notifications/tasks.py) -> `order_notify` stores one Notification per recipient
(the unique (event_key, recipient) constraint makes a replay a no-op) -> after that commit the
bell is pushed live and, if the recipient wants email for the kind, `notification_email_send` is
enqueued -> `notification_email_deliver` sends it from the worker, retrying with backoff. No email
is ever sent inside a web request's transaction.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from functools import partial
from typing import Any
from uuid import UUID

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from notifications.compose import Composed, absolute, compose
from notifications.models import WHATSAPP_KINDS, Kind, Notification, NotificationPreference, StoreAlertSettings
from notifications.realtime import push_unread
from orders.models import Order
from shipping.models import COURIERS, Shipment
from stores.models import Store
from tokoblitar.errors import DomainError, NotFound, ValidationFailed
from whatsapp.outbox import store_notice_send, store_whatsapp_ready

logger = logging.getLogger(__name__)

# What each order status tells whom: status -> [(kind, "seller" | "buyer")].
REFUND_NEEDED = "refund_needed"
ORDER_NOTICES: dict[str, list[tuple[str, str]]] = {
    Order.Status.PAID: [(Kind.SELLER_ORDER_PAID, "seller"), (Kind.BUYER_PAYMENT_RECEIVED, "buyer")],
    Order.Status.CANCELLED: [(Kind.SELLER_ORDER_CANCELLED, "seller")],
    Order.Status.REFUNDED: [(Kind.SELLER_ORDER_REFUND, "seller")],
    Order.Status.SHIPPED: [(Kind.BUYER_ORDER_SHIPPED, "buyer")],
    Order.Status.DELIVERED: [(Kind.BUYER_ORDER_DELIVERED, "buyer")],
    Order.Status.EXPIRED: [(Kind.BUYER_ORDER_EXPIRED, "buyer")],
    # Not a status: the money must go back while the status stays (orders' `order.refund_needed`).
    REFUND_NEEDED: [(Kind.SELLER_REFUND_NEEDED, "seller")],
}
EMAIL_MAX_ATTEMPTS = 5
# Failures worth retrying: the mail server or the Resend API did not take the message.
EMAIL_ERRORS = (smtplib.SMTPException, OSError, AnymailError)


# --- Preferences ----------------------------------------------------------------------------


def preference_get(*, user: User) -> NotificationPreference:
    """The user's preferences, unsaved defaults when she has none (Indonesian, default kinds)."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user, language=settings.LANGUAGE_CODE)


def preference_update(
    *, user: User, language: str, email: dict[str, bool], whatsapp: bool | None = None
) -> NotificationPreference:
    """Set the email language ("id" | "en"), which kinds are emailed ({kind: bool}; unknown
    kinds are refused with ValidationFailed) and, when given, whether order notices also come on
    WhatsApp (`whatsapp`; None leaves it as it is)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(fields={"language": [_("Unknown language")]}, code="invalid_language")
    unknown = sorted(set(email) - set(Kind.values))
    if unknown:
        raise ValidationFailed(fields={"email": [_("Unknown notification kind")]}, code="invalid_kind")
    defaults: dict[str, Any] = {"language": language, "email": {k: bool(v) for k, v in email.items()}}
    if whatsapp is not None:
        defaults["whatsapp"] = bool(whatsapp)
    pref, _created = NotificationPreference.objects.update_or_create(user=user, defaults=defaults)
    return pref


def alert_settings_get(*, store: Store) -> StoreAlertSettings:
    """The store's alert thresholds, unsaved defaults when it has none."""
    return StoreAlertSettings.objects.filter(store=store).first() or StoreAlertSettings(store=store)


def alert_settings_update(*, store: Store, low_stock_threshold: int, ship_within_hours: int) -> StoreAlertSettings:
    """Low-stock threshold (0-10,000 pieces) and hours a paid order may wait for shipping (1-720)."""
    errors = {}
    if not 0 <= low_stock_threshold <= 10_000:
        errors["low_stock_threshold"] = [_("Enter a number from 0 to 10000")]
    if not 1 <= ship_within_hours <= 720:
        errors["ship_within_hours"] = [_("Enter a number of hours from 1 to 720")]
    if errors:
        raise ValidationFailed(fields=errors, code="invalid_alert_settings")
    found, _created = StoreAlertSettings.objects.update_or_create(
        store=store, defaults={"low_stock_threshold": low_stock_threshold, "ship_within_hours": ship_within_hours}
    )
    return found


# --- Creating -------------------------------------------------------------------------------


def notification_create(
    *, recipient: User, kind: str, event_key: str, data: dict, url: str = ""
) -> Notification | None:
    """Store one notification; None when (event_key, recipient) was told before.

    After commit the recipient's bell is pushed and, when she wants email for `kind`, the email
    task is enqueued. `data` must be JSON (it is rendered in the reader's language later)."""
    pref = preference_get(user=recipient)
    wants_email = pref.wants_email(kind) and bool(recipient.email) and recipient.is_active
    try:
        with transaction.atomic():  # savepoint: a duplicate leaves the caller's transaction usable
            note = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                event_key=event_key[:200],
                data=data,
                url=url[:300],
                email_state=Notification.EmailState.PENDING if wants_email else Notification.EmailState.NONE,
            )
    except IntegrityError:
        return None  # a replayed event: this recipient already has it
    push_unread(user_id=recipient.pk, notification=note, language=pref.language)
    if wants_email:
        transaction.on_commit(partial(_enqueue_email, str(note.pk)), robust=True)
    return note


def _enqueue_email(notification_id: str, run_after: Any = None) -> None:
    from notifications.tasks import notification_email_send

    task = notification_email_send.using(run_after=run_after) if run_after else notification_email_send
    task.enqueue(notification_id=notification_id)


def _order_data(order: Order, *, shipment: Shipment | None) -> dict:
    courier = COURIERS.get(order.courier, order.courier.upper())
    if order.courier_service:
        courier = f"{courier} {order.courier_service.upper()}"
    payment = getattr(order, "payment", None)
    return {
        "order_id": str(order.pk),
        "number": order.number,
        "total": order.total,
        "store": order.store.name,
        "buyer": order.buyer.full_name,
        "courier": courier,
        "awb": (shipment.awb if shipment is not None and shipment.awb else order.manual_awb),
        "needs_refund": order.needs_refund,
        "items": [[item.product_name, item.quantity] for item in order.items.all()],
        "paid_at": payment.paid_at.isoformat() if payment is not None and payment.paid_at else "",
    }


def order_notify(*, order_id: str, status: str, reason: str = "") -> list[Notification]:
    """Tell the seller and/or buyer that `order_id` reached `status` (see ORDER_NOTICES).

    Idempotent: event key `order.<status>:<order id>` is stored once per recipient, so a replayed
    webhook or a re-run task creates (and emails) nothing new. Unknown order or status: []."""
    notices = ORDER_NOTICES.get(status)
    if not notices:
        return []
    order = (
        Order.objects.select_related("store__owner", "buyer", "payment")
        .prefetch_related("items")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        return []
    shipment = Shipment.objects.filter(order=order).first()
    data = _order_data(order, shipment=shipment)
    if reason:
        data["reason"] = reason
    hours = alert_settings_get(store=order.store).ship_within_hours
    paid_at = getattr(order, "payment", None) and order.payment.paid_at
    data["pack_by"] = ((paid_at or timezone.now()) + timedelta(hours=hours)).isoformat()
    created = []
    with transaction.atomic():
        for kind, who in notices:
            if who == "seller":
                recipient, url = order.store.owner, reverse("dashboard:order", args=[order.pk])
            else:
                recipient, url = order.buyer, reverse("storefront:order", args=[order.pk])
            note = notification_create(
                recipient=recipient,
                kind=kind,
                event_key=f"order.{status}:{order.pk}",
                data={**data, "url": url},
                url=url,
            )
            if note is not None:
                created.append(note)
                if who == "buyer":
                    _whatsapp_plan(note, order)
    return created


# --- WhatsApp -------------------------------------------------------------------------------


def _buyer_phone(user: User, order: Order | None) -> str:
    """Her account's phone, else the phone she gave for the order's delivery."""
    return user.phone or ((order.shipping_address or {}).get("phone", "") if order is not None else "")


def _whatsapp_plan(note: Notification, order: Order) -> bool:
    """Mark a new buyer notice for WhatsApp (and enqueue it after commit) when she opted in, has
    a phone, and the store's inbox is on with a WORKING session. Once per notification row, so
    once per (event, recipient) like the email. Returns whether it was planned."""
    if note.kind not in WHATSAPP_KINDS or not note.recipient.is_active:
        return False
    if not preference_get(user=note.recipient).whatsapp or not _buyer_phone(note.recipient, order):
        return False
    if not store_whatsapp_ready(store_id=order.store_id):
        return False
    Notification.objects.filter(pk=note.pk).update(whatsapp_state=Notification.EmailState.PENDING)
    transaction.on_commit(partial(_enqueue_whatsapp, str(note.pk)), robust=True)
    return True


def _enqueue_whatsapp(notification_id: str) -> None:
    from notifications.tasks import notification_whatsapp_send

    notification_whatsapp_send.enqueue(notification_id=notification_id)


def notification_whatsapp_text(*, notification: Notification, language: str) -> str:
    """The notice as a WhatsApp message in `language`: *subject*, its lines, the items, and the
    link to the order page (where the parcel is tracked)."""
    with translation.override(language), timezone.override("Asia/Jakarta"):
        composed = compose(notification.kind, notification.data)
        parts = [f"*{composed.subject}*", *composed.lines]
        parts += [f"• {name} × {quantity}" for name, quantity in composed.items]
        if composed.url:
            parts.append(f"{composed.action}: {composed.url}")
    return "\n".join(parts)


def notification_whatsapp_deliver(*, notification_id: str) -> str:
    """Hand one pending notice to the store's WhatsApp outbox (whatsapp.outbox; the inbox's send
    task then sends it with retry/backoff). Returns "sent", "skipped" (not pending: a re-run task)
    or "failed" (the store's WhatsApp went away, the number is invalid, Cloud 24-hour window…;
    `whatsapp_error` keeps the code). The row lock makes a duplicate task send nothing."""
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if note is None or note.whatsapp_state != Notification.EmailState.PENDING:
            return "skipped"
        order = Order.objects.filter(pk=note.data.get("order_id")).first()
        phone = _buyer_phone(note.recipient, order)
        pref = preference_get(user=note.recipient)
        try:
            if order is None or not phone or not pref.whatsapp:
                raise ValidationFailed(code="no_recipient")
            message = store_notice_send(
                store_id=order.store_id,
                to=phone,
                text=notification_whatsapp_text(notification=note, language=pref.language),
            )
        except DomainError as exc:
            note.whatsapp_state = Notification.EmailState.FAILED
            note.whatsapp_error = exc.code[:200]
            note.save(update_fields=["whatsapp_state", "whatsapp_error"])
            return "failed"
        note.whatsapp_state = Notification.EmailState.SENT
        note.whatsapp_message_id = message.pk
        note.whatsapp_error = ""
        note.save(update_fields=["whatsapp_state", "whatsapp_message_id", "whatsapp_error"])
    return "sent"


# --- Email ----------------------------------------------------------------------------------


def notification_email_message(*, notification: Notification) -> EmailMultiAlternatives:
    """The email of a notification: plain text + HTML in the recipient's language, Jakarta times."""
    pref = preference_get(user=notification.recipient)
    with translation.override(pref.language), timezone.override("Asia/Jakarta"):
        composed: Composed = compose(notification.kind, notification.data)
        context = {
            "composed": composed,
            "recipient": notification.recipient,
            "settings_url": absolute(reverse("storefront:notifications:settings")),
            "language": pref.language,
        }
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
    message = EmailMultiAlternatives(
        subject=composed.subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[notification.recipient.email]
    )
    message.attach_alternative(html, "text/html")
    return message


def _email_backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempt - 1), 3600))


def notification_email_deliver(*, notification_id: str, attempt: int = 1) -> str:
    """Send a pending notification's email once; returns "sent" | "skipped" | "retrying" | "failed".

    The row lock is held while sending, so two workers never send the same email; a sent (or
    opted-out) row is skipped. A mail error schedules attempt+1 after a doubling delay (30 s ...
    1 h) until EMAIL_MAX_ATTEMPTS, then the row is marked failed with the error kept."""
    try:
        with transaction.atomic():
            note = (
                Notification.objects.select_for_update(of=("self",))
                .select_related("recipient")
                .filter(pk=notification_id)
                .first()
            )
            if note is None or note.email_state != Notification.EmailState.PENDING:
                return "skipped"
            notification_email_message(notification=note).send()
            note.email_state = Notification.EmailState.SENT
            note.emailed_at = timezone.now()
            note.email_attempts = attempt
            note.email_error = ""
            note.save(update_fields=["email_state", "emailed_at", "email_attempts", "email_error"])
        return "sent"
    except EMAIL_ERRORS as exc:
        failed = attempt >= EMAIL_MAX_ATTEMPTS
        logger.warning("Email for notification %s failed (attempt %s): %s", notification_id, attempt, exc)
        with transaction.atomic():
            Notification.objects.filter(pk=notification_id, email_state=Notification.EmailState.PENDING).update(
                email_attempts=attempt,
                email_error=str(exc)[:2000],
                **({"email_state": Notification.EmailState.FAILED} if failed else {}),
            )
            if not failed:
                run_after = timezone.now() + _email_backoff(attempt)
                transaction.on_commit(lambda: _enqueue_retry(notification_id, attempt + 1, run_after), robust=True)
        return "failed" if failed else "retrying"


def _enqueue_retry(notification_id: str, attempt: int, run_after: Any) -> None:
    from notifications.tasks import notification_email_send

    notification_email_send.using(run_after=run_after).enqueue(notification_id=notification_id, attempt=attempt)


# --- Reading state --------------------------------------------------------------------------


def notification_mark_read(*, actor: User, notification_id: UUID | str) -> Notification:
    """Mark one of the actor's notifications read (someone else's answers NotFound)."""
    note = Notification.objects.filter(pk=notification_id, recipient=actor).first()
    if note is None:
        raise NotFound(code="notification_not_found")
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
        push_unread(user_id=actor.pk)
    return note


def notification_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; answers how many changed."""
    changed = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
    if changed:
        push_unread(user_id=actor.pk)
    return changed


# --- Erasure --------------------------------------------------------------------------------


def notifications_erase_for_user(*, user_id: str) -> int:
    """Delete every notification and the preferences of a deleted account (privacy's
    `account.deleted`: the user row stays as an anonymous account, so nothing cascades).
    Returns how many notifications went; running it again deletes nothing more."""
    deleted, _by_model = Notification.objects.filter(recipient_id=user_id).delete()
    NotificationPreference.objects.filter(user_id=user_id).delete()
    return deleted
