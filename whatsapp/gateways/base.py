"""The WhatsApp gateway interface: what the inbox needs from WAHA, the Cloud API or the simulator.

Every backend answers in WAHA's vocabulary (states STOPPED/STARTING/SCAN_QR_CODE/WORKING/FAILED),
because the seed's session/QR flow maps onto it; the Cloud API has no QR and is WORKING as soon
as its phone number is configured. Backends raise `GatewayError` (or `SessionStateError`, WAHA's
422 state guard); the services decide what that means for the seller.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class GatewayError(Exception):
    """A gateway refused or failed. `retryable`: worth trying again later (network, 5xx,
    throughput); `code`: the provider's own code (Graph `131047`, HTTP `422`, …)."""

    def __init__(self, provider: str, message: str, *, code: str = "", retryable: bool = False, status: int = 0):
        self.provider = provider
        self.code = code
        self.retryable = retryable
        self.status = status
        super().__init__(message)


class SessionStateError(GatewayError):
    """WAHA's 422: the session is not in the state the call needs (QR only in SCAN_QR_CODE,
    sending only in WORKING). `state` is the state it is in, `expected` what was needed."""

    def __init__(self, provider: str, *, state: str, expected: list[str], message: str = ""):
        self.state = state
        self.expected = expected
        super().__init__(
            provider,
            message or f"Session status is {state}, expected {', '.join(expected)}",
            code="session_state",
            retryable=True,
            status=422,
        )


@dataclass
class SessionInfo:
    """A session as the gateway reports it. `me`: the linked account's id (`628…@c.us`) or ""."""

    name: str
    status: str
    me: str = ""
    me_name: str = ""


@dataclass
class QrCode:
    """A raw QR value. `expires_at` when the gateway knows it (the simulator), else None: the
    service then applies the engine's cadence (first 60 s, later 20 s)."""

    value: str
    expires_at: datetime | None = None


@dataclass
class SentMessage:
    """What a send returned: the provider's message id (a WAHA id or a `wamid.…`)."""

    id: str
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class MediaFile:
    """Downloaded media: the bytes as received and the type the provider declared (checked
    again from the content by whatsapp.media before anything is stored)."""

    data: bytes
    mime: str = ""


@dataclass
class Template:
    """An approved Cloud API message template: its name, language, category and the number of
    `{{n}}` parameters its body takes (`body` is the text with the placeholders)."""

    name: str
    language: str
    category: str = ""
    body: str = ""
    params: int = 0
    status: str = "APPROVED"


def read_limited(response: Any, limit: int, provider: str) -> bytes:
    """The body of a streamed `requests` response, refusing more than `limit` bytes (a declared
    Content-Length over it is refused before reading). GatewayError `too_large`, not retryable."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise GatewayError(provider, f"Media is larger than {limit} bytes", code="too_large")
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise GatewayError(provider, f"Media is larger than {limit} bytes", code="too_large")
        chunks.append(chunk)
    return b"".join(chunks)


class WhatsAppGateway(Protocol):
    name: str  # "waha" | "cloud" | "simulator"
    has_qr: bool

    def session_start(self, session: str) -> SessionInfo:
        """Create the session when missing and start it (idempotent)."""

    def session_status(self, session: str) -> SessionInfo: ...

    def session_stop(self, session: str) -> SessionInfo: ...

    def session_logout(self, session: str) -> SessionInfo: ...

    def session_restart(self, session: str) -> SessionInfo: ...

    def qr_raw(self, session: str) -> QrCode:
        """The current QR value; SessionStateError when the session is not in SCAN_QR_CODE."""

    def send_text(self, session: str, chat_id: str, text: str) -> SentMessage:
        """Send free text; SessionStateError when the session is not WORKING."""

    def verify_webhook(self, headers: dict[str, str], raw: bytes) -> bool:
        """The delivery's signature (WAHA: X-Webhook-Hmac; Cloud: X-Hub-Signature-256)."""

    def send_image(
        self, session: str, chat_id: str, *, data: bytes, mime: str, filename: str, caption: str = "", url: str = ""
    ) -> SentMessage:
        """Send an image (bytes, or a public `url` of the same file when there is one)."""

    def media_download(self, session: str, ref: str, *, limit: int) -> MediaFile:
        """Fetch inbound media by the provider's handle (WAHA file URL, Cloud media id); at most
        `limit` bytes (GatewayError `too_large`)."""

    def lid_phone(self, session: str, lid: str) -> str | None:
        """The phone JID (`628…@c.us`) behind a `…@lid` sender, None when the gateway has none."""


def waha_hmac(key: str, raw: bytes) -> str:
    """WAHA's X-Webhook-Hmac: hex HMAC-SHA512(key, raw body)."""
    return hmac.new(key.encode(), raw, hashlib.sha512).hexdigest()


def waha_hmac_valid(key: str, raw: bytes, header: str) -> bool:
    if not key or not header:
        return False
    return hmac.compare_digest(waha_hmac(key, raw), header.strip().lower())


def meta_signature(app_secret: str, raw: bytes) -> str:
    """Meta's X-Hub-Signature-256 value: `sha256=` + hex HMAC-SHA256(app secret, raw body)."""
    return "sha256=" + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()


def meta_signature_valid(app_secret: str, raw: bytes, header: str) -> bool:
    if not app_secret or not header:
        return False
    return hmac.compare_digest(meta_signature(app_secret, raw), header.strip())


ACK_NAMES = {-1: "ERROR", 0: "PENDING", 1: "SERVER", 2: "DEVICE", 3: "READ", 4: "PLAYED"}
