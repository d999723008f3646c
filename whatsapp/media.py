"""Images in and out of the WhatsApp inbox.

In: a `message` event with an image (WAHA `hasMedia` + `media.url`, Cloud `image.id`) is stored
at once as a message with `media_state="pending"`; `media_fetch` (a task, after commit) downloads
it through the gateway (at most MAX_IMAGE_UPLOAD_BYTES), checks it with tokoblitar.images (a real
JPEG/PNG/WebP within the pixel budget) and stores it re-encoded as a JPEG without metadata (a
buyer's photo loses its GPS position) in our media storage (STORAGES["default"]). A download
that cannot succeed (refused content, too large, gone) leaves the message `failed` with a reason;
a transient failure is retried with backoff.

Out: `seller_image_send` checks and stores the seller's upload the same way, then queues a
message of kind "image" on the same send path as text (task worker, retry/backoff, acks).

Files are personal data: they are served only to the store's seller (`media_open_for_seller`),
never under a public link.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tokoblitar.errors import Conflict, NotFound, ProviderError, ValidationFailed
from tokoblitar.images import image_delete_quietly, image_reencode, image_store
from whatsapp.gateways import get_whatsapp_gateway
from whatsapp.gateways.base import GatewayError, SentMessage
from whatsapp.models import STATUS_RANK, Chat, Message, MessageStatus, SessionState, WhatsAppSession
from whatsapp.payloads import chat_payload, message_payload

logger = logging.getLogger(__name__)

FETCH_MAX_ATTEMPTS = 5
FETCH_BACKOFF_SECONDS = 10
MAX_CAPTION = 1024  # the Cloud API's caption limit; WAHA takes it too


def _stored_name(session: WhatsAppSession) -> str:
    return f"whatsapp/{session.store_id}/{uuid.uuid4().hex}.jpg"


def _checked_jpeg(data: bytes, *, field: str = "image") -> bytes:
    """`data` checked (type from the content, size, pixels) and re-encoded as a clean JPEG.
    ValidationFailed `not_an_image` / `image_too_large` as tokoblitar.images says."""
    return image_reencode(SimpleUploadedFile("image", data), field=field)


# --- inbound -------------------------------------------------------------------------------


def media_fetch_enqueue(message_id: str, attempt: int = 1, run_after: Any = None) -> None:
    from whatsapp.tasks import media_fetch_task

    task = media_fetch_task.using(run_after=run_after) if run_after else media_fetch_task
    task.enqueue(message_id=message_id, attempt=attempt)


def _media_failed(message: Message, code: str, reason: str) -> None:
    Message.objects.filter(pk=message.pk, media_state="pending").update(
        media_state="failed", error_code=code[:40], error_reason=reason[:500], updated_at=timezone.now()
    )
    _push_message(message.session, message.pk)


def _push_message(session: WhatsAppSession, message_pk: Any) -> None:
    from whatsapp.services import _push

    _push(session, "status", message=message_payload(Message.objects.get(pk=message_pk)))


def media_fetch(*, message_id: str, attempt: int = 1) -> str:
    """The task body: download, check and store one inbound image. Returns "stored", "skipped"
    (not pending any more: a duplicate task), "retry" (transient failure, attempt+1 enqueued with
    backoff) or "failed" (refused content, too large, gone, or out of attempts)."""
    message = (
        Message.objects.select_related("session").filter(pk=message_id, kind="image", media_state="pending").first()
    )
    if message is None:
        return "skipped"
    session = message.session
    try:
        media = get_whatsapp_gateway().media_download(
            session.name, message.media_ref, limit=settings.MAX_IMAGE_UPLOAD_BYTES
        )
        jpeg = _checked_jpeg(media.data)
        name = image_store(storage=default_storage, name=_stored_name(session), data=jpeg)
    except GatewayError as exc:
        if exc.retryable and attempt < FETCH_MAX_ATTEMPTS:
            wait = FETCH_BACKOFF_SECONDS * 2 ** (attempt - 1)
            transaction.on_commit(
                partial(media_fetch_enqueue, str(message.pk), attempt + 1, timezone.now() + timedelta(seconds=wait)),
                robust=True,
            )
            return "retry"
        _media_failed(message, exc.code or "download_failed", str(exc))
        return "failed"
    except ValidationFailed as exc:
        _media_failed(message, exc.code, str(exc.message))
        return "failed"
    except ProviderError as exc:  # our storage is down: worth another try
        if attempt < FETCH_MAX_ATTEMPTS:
            transaction.on_commit(
                partial(media_fetch_enqueue, str(message.pk), attempt + 1, timezone.now() + timedelta(seconds=30)),
                robust=True,
            )
            return "retry"
        _media_failed(message, exc.code, str(exc.message))
        return "failed"
    moved = Message.objects.filter(pk=message.pk, media_state="pending").update(
        media_file=name, media_mime="image/jpeg", media_size=len(jpeg), media_state="ready", updated_at=timezone.now()
    )
    if not moved:  # another run stored it meanwhile: keep one file
        image_delete_quietly(storage=default_storage, names=[name])
        return "skipped"
    _push_message(session, message.pk)
    return "stored"


# --- outbound ------------------------------------------------------------------------------


def seller_image_send(*, actor: User, chat_id: Any, upload: UploadedFile, caption: str = "") -> Message:
    """Send a picture into one of the store's chats: checked and stored (JPEG, no metadata), then
    queued like a text and sent by the task worker with retry/backoff.

    Raises FeatureDisabled (switch off), NotFound (another store's chat), ValidationFailed
    (`not_an_image`, `image_too_large`, `invalid_message` for a caption over 1024 characters),
    Conflict (`session_not_ready`; Cloud API `outside_24h_window`), ProviderError (storage down)."""
    from whatsapp.selectors import chat_get_for_store
    from whatsapp.services import CLOUD_WINDOW, _enqueue_send, _push, inbox_store_for_seller

    store = inbox_store_for_seller(actor=actor)
    chat = chat_get_for_store(store=store, chat_id=chat_id)
    session = chat.session
    caption = (caption or "").strip()
    if len(caption) > MAX_CAPTION:
        raise ValidationFailed(
            _("A caption has at most %(max)s characters"), code="invalid_message", params={"max": MAX_CAPTION}
        )
    if session.state != SessionState.WORKING:
        raise Conflict(
            _("WhatsApp is not connected (%(state)s); link the phone first"),
            code="session_not_ready",
            params={"state": session.state},
        )
    now = timezone.now()
    if session.provider == "cloud" and (chat.last_inbound_at is None or chat.last_inbound_at < now - CLOUD_WINDOW):
        raise Conflict(
            _("The buyer last wrote more than 24 hours ago: only a template message can be sent"),
            code="outside_24h_window",
        )
    jpeg = image_reencode(upload, field="image")
    name = image_store(storage=default_storage, name=_stored_name(session), data=jpeg)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                session=session,
                chat=chat,
                direction=Message.Direction.OUT,
                kind="image",
                body=caption,
                media_file=name,
                media_mime="image/jpeg",
                media_size=len(jpeg),
                media_state="ready",
                status=MessageStatus.QUEUED,
                status_rank=STATUS_RANK[MessageStatus.QUEUED],
                sent_by=actor,
            )
            Chat.objects.filter(pk=chat.pk).update(last_message=(caption or "📷")[:200], last_message_at=now)
            transaction.on_commit(partial(_enqueue_send, str(message.pk), 1, None))
            chat = Chat.objects.select_related("contact").get(pk=chat.pk)
            _push(session, "message", chat=chat_payload(chat), message=message_payload(message))
    except Exception:
        image_delete_quietly(storage=default_storage, names=[name])
        raise
    return message


def _public_url(message: Message) -> str:
    """The file's absolute public URL when the storage gives one (R2 with a public domain), else ""."""
    try:
        url = message.media_file.url
    except (ValueError, NotImplementedError):
        return ""
    return url if url.startswith("https://") else ""


def image_gateway_send(gateway: Any, session: WhatsAppSession, message: Message) -> SentMessage:
    """The gateway call for a queued image (called by whatsapp.services.message_deliver)."""
    try:
        with message.media_file.open("rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise GatewayError(
            "Storage", f"The stored image cannot be read: {exc}", code="storage", retryable=True
        ) from exc
    return gateway.send_image(
        session.name,
        message.chat.remote_id,
        data=data,
        mime=message.media_mime or "image/jpeg",
        filename=f"{message.pk}.jpg",
        caption=message.body,
        url=_public_url(message),
    )


# --- reading -------------------------------------------------------------------------------


def media_open_for_seller(*, actor: User, message_id: Any) -> tuple[Any, str]:
    """(open file, mime) of a stored image in one of the seller's chats. NotFound for another
    store's message, a message without a stored image, or a malformed id."""
    from whatsapp.services import inbox_store_for_seller

    store = inbox_store_for_seller(actor=actor)
    try:
        key = uuid.UUID(str(message_id))
    except ValueError:
        raise NotFound(_("Image not found"), code="media_not_found") from None
    message = Message.objects.filter(pk=key, session__store=store, media_state="ready").first()
    if message is None or not message.media_file:
        raise NotFound(_("Image not found"), code="media_not_found")
    try:
        return message.media_file.open("rb"), message.media_mime or "image/jpeg"
    except OSError:
        raise NotFound(_("Image not found"), code="media_not_found") from None
