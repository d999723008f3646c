"""The WhatsApp inbox: one linked session per store, contacts, chats and messages.

`WhatsAppSession.state` is what the gateway last told us (WAHA's names), never a guess:
it moves on `session.status` events and on answers to our own calls. Messages are unique
per (session, provider message id), so a webhook retried 15 times stores one row, and their
`status` only moves forward by `STATUS_RANK` (statuses arrive out of order).

The `Simulated*` models are the offline gateway's own state (whatsapp.gateways.simulator):
what a WAHA server would keep, not our view of it.
"""

from __future__ import annotations

import re
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from stores.models import Store


class SessionState(models.TextChoices):
    STOPPED = "STOPPED", "STOPPED"
    STARTING = "STARTING", "STARTING"
    SCAN_QR_CODE = "SCAN_QR_CODE", "SCAN_QR_CODE"
    WORKING = "WORKING", "WORKING"
    FAILED = "FAILED", "FAILED"


class WhatsAppSession(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="whatsapp_session")
    # The gateway's session name (WAHA) or the phone number id (Cloud API).
    name = models.CharField(max_length=100, unique=True)
    provider = models.CharField(max_length=20)  # "waha" | "cloud" | "simulator"
    state = models.CharField(max_length=20, choices=SessionState.choices, default=SessionState.STOPPED)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    # The QR value as the gateway gave it (`auth/qr?format=raw`) and when it stops being scannable.
    qr = models.TextField(blank=True)
    qr_issued_at = models.DateTimeField(null=True, blank=True)
    qr_expires_at = models.DateTimeField(null=True, blank=True)
    # QR values seen since the last start: the first lives 60 s, later ones 20 s.
    qr_count = models.PositiveIntegerField(default=0)
    me_id = models.CharField(max_length=100, blank=True)
    me_name = models.CharField(max_length=200, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    last_ack = models.SmallIntegerField(null=True, blank=True)
    last_ack_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sesi WhatsApp")

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"

    @property
    def is_ready(self) -> bool:
        return self.state == SessionState.WORKING


class Contact(models.Model):
    """Someone who writes to the store, keyed on the gateway's id (`628…@c.us`, `…@lid`, a wa_id)."""

    session = models.ForeignKey(WhatsAppSession, on_delete=models.CASCADE, related_name="contacts")
    gateway_id = models.CharField(max_length=100)
    # Empty for `@lid` senders (a privacy id, no phone number) and Cloud API senders without wa_id.
    phone = models.CharField(max_length=20, blank=True)
    name = models.CharField(max_length=200, blank=True)
    # When WAHA's lids API was last asked for this `@lid` sender's phone (its answer, a number or
    # null, is cached in `phone`): asked once per LID_RECHECK, not on every message.
    lid_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "gateway_id"], name="wa_contact_unique")]

    def __str__(self) -> str:
        return self.name or self.phone or self.gateway_id


class Chat(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(WhatsAppSession, on_delete=models.CASCADE, related_name="chats")
    remote_id = models.CharField(max_length=100)
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="chats")
    name = models.CharField(max_length=200, blank=True)
    unread_count = models.PositiveIntegerField(default=0)
    last_message = models.CharField(max_length=200, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # The buyer's last message: the Cloud API allows free text only within 24 h of it.
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    labels = models.ManyToManyField("whatsapp.ChatLabel", blank=True, related_name="chats")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "remote_id"], name="wa_chat_unique")]
        indexes = [models.Index(fields=["session", "-last_message_at"], name="wa_chat_recent")]

    def __str__(self) -> str:
        return self.name or self.remote_id

    @property
    def is_unread(self) -> bool:
        return self.unread_count > 0

    @property
    def display_name(self) -> str:
        """The chat's name, else the contact's, else the number or id (load `contact` with it)."""
        contact = self.contact if self.contact_id else None
        return self.name or (contact.name if contact else "") or self.remote_id

    @property
    def phone(self) -> str:
        contact = self.contact if self.contact_id else None
        return contact.phone if contact else ""

    @property
    def last_message_preview(self) -> str:
        """`last_message` as the list shows it: WhatsApp's *bold*, _italic_, ~strike~ and
        ```mono``` markers removed (a product card starts with "*Name*")."""
        return _MARKUP.sub(r"\2", self.last_message)


# A marker pair hugging non-space text, as WhatsApp formats it ("2*3*4" stays: no word edge).
_MARKUP = re.compile(r"(?<![\w*_~`])(```|[*_~])(?=\S)(.+?)(?<=\S)\1(?![\w*_~`])")


class LabelColour(models.TextChoices):
    """A fixed palette: the page shows a label with a CSS class, never a style built from input."""

    GREEN = "green", _("hijau")
    BLUE = "blue", _("biru")
    AMBER = "amber", _("kuning")
    RED = "red", _("merah")
    PURPLE = "purple", _("ungu")
    GREY = "grey", _("abu-abu")


class ChatLabel(models.Model):
    """A store's own label for chats ("Belum bayar", "Grosir"); stored locally, never sent to WhatsApp."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="whatsapp_labels")
    name = models.CharField(max_length=40)
    colour = models.CharField(max_length=10, choices=LabelColour.choices, default=LabelColour.GREEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="wa_label_unique_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CannedReply(models.Model):
    """A store's saved answer, inserted with "/shortcut" in the composer. `text` may hold the
    variables {nama}, {toko}, {total} and {resi} (whatsapp.commerce.render_canned)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="whatsapp_canned_replies")
    shortcut = models.SlugField(max_length=30, allow_unicode=False)
    text = models.TextField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "shortcut"], name="wa_canned_unique_shortcut")]
        ordering = ["shortcut"]

    def __str__(self) -> str:
        return f"/{self.shortcut}"


class MessageStatus(models.TextChoices):
    RECEIVED = "received", _("diterima")
    QUEUED = "queued", _("antre")
    SENT = "sent", _("terkirim")
    FAILED = "failed", _("gagal")
    DELIVERED = "delivered", _("sampai")
    READ = "read", _("dibaca")


# A status moves only to a higher rank. `failed` outranks queued/sent (the send did not reach the
# phone) but not delivered/read: Meta may report `failed` for one device after another got it.
STATUS_RANK = {
    MessageStatus.RECEIVED: 0,
    MessageStatus.QUEUED: 0,
    MessageStatus.SENT: 1,
    MessageStatus.FAILED: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.READ: 4,
}


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("masuk")
        OUT = "out", _("keluar")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(WhatsAppSession, on_delete=models.CASCADE, related_name="messages")
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    # Set on arrival (inbound) or when the gateway accepted the send (outbound); null while queued.
    provider_message_id = models.CharField(max_length=200, null=True, blank=True)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    status_rank = models.SmallIntegerField(default=0)
    ack = models.SmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_reason = models.CharField(max_length=500, blank=True)
    # Send attempts made by the task worker (a duplicate task for the same attempt does nothing).
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    sent_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="whatsapp_messages"
    )
    provider_timestamp = models.DateTimeField(null=True, blank=True)
    # "text" | "image" | "template" (whatsapp.media, whatsapp.templates_api).
    kind = models.CharField(max_length=10, default="text")
    # Images: the stored file (our media storage, re-checked JPEG/PNG/WebP), its type and size
    # in bytes. Inbound: `media_ref` is the provider's handle (WAHA file URL, Cloud media id)
    # until the download task stored it; `media_state` "" (no media) | pending | ready | failed.
    media_file = models.FileField(upload_to="whatsapp/%Y/%m/", max_length=200, blank=True)
    media_mime = models.CharField(max_length=100, blank=True)
    media_size = models.PositiveIntegerField(null=True, blank=True)
    media_ref = models.CharField(max_length=1000, blank=True)
    media_state = models.CharField(max_length=10, blank=True)
    # Cloud API template sends: the approved template's name, language and body parameters.
    template_name = models.CharField(max_length=512, blank=True)
    template_language = models.CharField(max_length=15, blank=True)
    template_params = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "provider_message_id"], name="wa_message_provider_id_unique")
        ]
        indexes = [models.Index(fields=["chat", "created_at"], name="wa_message_chat_time")]

    def __str__(self) -> str:
        return f"{self.direction} {self.status} {self.body[:30]}"


class PendingAck(models.Model):
    """A status event for a provider message id we do not know yet: the gateway acked the send
    before our send task saved the id. Applied (and deleted) when the id is saved; one row per
    (session, provider id, status), so a retried early ack is kept once."""

    session = models.ForeignKey(WhatsAppSession, on_delete=models.CASCADE, related_name="pending_acks")
    provider_message_id = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    ack = models.SmallIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "provider_message_id", "status"], name="wa_pending_ack_unique")
        ]


# --- The offline gateway's own state (what a WAHA server would keep) ---------------------------


class SimulatedWahaSession(models.Model):
    name = models.CharField(max_length=100, primary_key=True)
    status = models.CharField(max_length=20, choices=SessionState.choices, default=SessionState.STOPPED)
    started_at = models.DateTimeField(null=True, blank=True)
    qr_value = models.CharField(max_length=300, blank=True)
    qr_issued_at = models.DateTimeField(null=True, blank=True)
    qr_expires_at = models.DateTimeField(null=True, blank=True)
    qr_refs_used = models.PositiveSmallIntegerField(default=0)
    # The phone is linked (a scan succeeded and nobody logged out or unlinked since).
    linked = models.BooleanField(default=False)
    me_id = models.CharField(max_length=100, blank=True)
    # Fault: the phone unlinked but the state keeps saying WORKING (WAHA's most-reported lie).
    stale_working = models.BooleanField(default=False)
    # Share of sent messages whose acks stall at 0 or 1 (0.0 = never).
    stall_rate = models.FloatField(default=0.0)
    buyer_lid = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)


class SimulatedWahaMessage(models.Model):
    id = models.CharField(max_length=200, primary_key=True)
    session_name = models.CharField(max_length=100)
    chat_id = models.CharField(max_length=100)
    from_me = models.BooleanField()
    body = models.TextField()
    ack = models.SmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)


class SimulatedWahaEvent(models.Model):
    """A webhook the simulated gateway will POST at `due_at` (retried 15 × 2 s like WAHA)."""

    id = models.CharField(max_length=40, primary_key=True)
    session_name = models.CharField(max_length=100)
    body = models.JSONField()
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.SmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["delivered_at", "due_at"], name="wa_sim_event_due")]
