"""Notifications: what a user was told (in-app and by email), her preferences, a store's alert settings.

A notification is stored once per (event, recipient): `event_key` names the domain event it came
from ("order.paid:<order id>", "alert:low_stock:<product id>"), and the unique constraint makes a
replayed webhook or a re-run task find the row already there instead of telling anyone twice.
Text is not stored: it is rendered from `kind` + `data` in the reader's language when shown.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stores.models import Store


class Kind(models.TextChoices):
    SELLER_ORDER_PAID = "seller_order_paid", _("Pesanan baru dibayar (penjual)")
    SELLER_ORDER_CANCELLED = "seller_order_cancelled", _("Pesanan dibatalkan (penjual)")
    SELLER_ORDER_REFUND = "seller_order_refund", _("Dana pesanan dikembalikan (penjual)")
    SELLER_REFUND_NEEDED = "seller_refund_needed", _("Dana pesanan perlu dikembalikan (penjual)")
    SELLER_ALERT = "seller_alert", _("Peringatan toko (penjual)")
    BUYER_PAYMENT_RECEIVED = "buyer_payment_received", _("Pembayaran diterima")
    BUYER_ORDER_SHIPPED = "buyer_order_shipped", _("Pesanan dikirim")
    BUYER_ORDER_DELIVERED = "buyer_order_delivered", _("Pesanan sampai")
    BUYER_ORDER_EXPIRED = "buyer_order_expired", _("Pesanan kedaluwarsa")


SELLER_KINDS = frozenset(
    {
        Kind.SELLER_ORDER_PAID,
        Kind.SELLER_ORDER_CANCELLED,
        Kind.SELLER_ORDER_REFUND,
        Kind.SELLER_REFUND_NEEDED,
        Kind.SELLER_ALERT,
    }
)
# Buyer order notices that may also go out on WhatsApp (NotificationPreference.whatsapp).
WHATSAPP_KINDS = frozenset(
    {Kind.BUYER_PAYMENT_RECEIVED, Kind.BUYER_ORDER_SHIPPED, Kind.BUYER_ORDER_DELIVERED, Kind.BUYER_ORDER_EXPIRED}
)
# Kinds not emailed unless the user turns them on (alerts also show on the dashboard overview).
EMAIL_OFF_BY_DEFAULT = frozenset({Kind.SELLER_ALERT})


class Notification(models.Model):
    class EmailState(models.TextChoices):
        NONE = "none", _("Tidak dikirim")  # the recipient turned this kind off
        PENDING = "pending", _("Menunggu")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    event_key = models.CharField(max_length=200)
    # JSON-only facts the text is rendered from (order number, total, courier, AWB, alert kind...).
    data = models.JSONField(default=dict, blank=True)
    # Where the notification leads (a path on this site).
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.NONE)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)
    # The buyer's order notices also go out on WhatsApp from the store's number when she opted in
    # (NotificationPreference.whatsapp) and the store's inbox is connected: NONE (not for her),
    # PENDING (task queued), SENT (handed to the store's WhatsApp outbox: `whatsapp_message_id`
    # is the whatsapp.Message whose ticks the inbox shows) or FAILED (`whatsapp_error` says why).
    whatsapp_state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.NONE)
    whatsapp_message_id = models.UUIDField(null=True, blank=True)
    whatsapp_error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event_key", "recipient"], name="notifications_once_per_event_recipient")
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notifications_recipient_recent"),
            # The header's unread count reads only this small partial index.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notifications_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}:{self.event_key}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """One user's notification settings: the language her emails speak and which kinds are emailed.

    Kept here rather than on accounts.User so the accounts app needs no migration for it; a user
    without a row gets the defaults (Indonesian, every kind emailed except EMAIL_OFF_BY_DEFAULT)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_pref")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="id")
    # kind -> emailed?; a kind missing here takes its default.
    email = models.JSONField(default=dict, blank=True)
    # Order notices (payment received, shipped, delivered, expired) also on WhatsApp, from the
    # store's number to her phone. Off until she turns it on: a number given for the courier is
    # not consent to be messaged (UU 27/2022 asks for a purpose she agreed to).
    whatsapp = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}:{self.language}"

    def wants_email(self, kind: str) -> bool:
        return bool(self.email.get(kind, kind not in EMAIL_OFF_BY_DEFAULT))


class StoreAlertSettings(models.Model):
    """A store's thresholds for the proactive dashboard alerts (a store without a row gets the defaults)."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="alert_settings")
    low_stock_threshold = models.PositiveIntegerField(default=5)
    # A paid order not shipped this many hours after payment is flagged.
    ship_within_hours = models.PositiveIntegerField(default=24)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.store_id}: stock<={self.low_stock_threshold}, ship<{self.ship_within_hours}h"
