"""The offline WhatsApp gateway: WAHA's state machine kept in the database, events delivered
to our real `/api/webhooks/waha`, signed with `X-Webhook-Hmac` exactly as WAHA signs them.

What it follows (providers-2.md §2):
- `STOPPED → STARTING → SCAN_QR_CODE ⟲ → WORKING`. Each QR value belongs to one ref: the first
  lives 60 s, later ones 20 s; after `QR_REFS` refs the session goes FAILED (Baileys' "QR refs
  attempts ended"). `session.status` is emitted on every transition, including each QR refresh.
- The QR is readable only in SCAN_QR_CODE and sending only in WORKING; otherwise the 422 guard
  (`SessionStateError`). A scan is accepted only for the current, unexpired value.
- `message.ack` moves 0 → 1 → 2 → 3 (−1 for an impossible number) and, at `stall_rate`, stops at
  0 or 1 (the "stuck pending" complaint). The simulated buyer (Bu Rina, `6281234567890@c.us`, or
  a `…@lid` privacy id with no phone) reads what the seller sends and answers in Indonesian.
- Faults: phone-side unlink (→ FAILED), and "stale WORKING" where the state keeps saying WORKING
  after the unlink while nothing sent is ever acknowledged.
- Delivery is at-least-once: each event is POSTed when due by `pump()` (the task worker runs it
  at the due time), retried every 2 s up to 15 attempts on a non-2xx answer, like WAHA.

Time moves with the wall clock; `elapse()` rewinds the stored times instead (a dev and test
control), so nothing here needs a fake clock.
"""

from __future__ import annotations

import io
import json
import logging
import random
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

import requests
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image, ImageDraw

from whatsapp.gateways.base import (
    ACK_NAMES,
    GatewayError,
    MediaFile,
    QrCode,
    SentMessage,
    SessionInfo,
    SessionStateError,
    Template,
    waha_hmac,
    waha_hmac_valid,
)
from whatsapp.models import SessionState, SimulatedWahaEvent, SimulatedWahaMessage, SimulatedWahaSession

logger = logging.getLogger(__name__)
PROVIDER = "WhatsApp simulator"

START_SECONDS = 1
FIRST_QR_SECONDS = 60
NEXT_QR_SECONDS = 20
QR_REFS = 6
RETRY_SECONDS = 2
RETRY_ATTEMPTS = 15
ME_ID = "6285100000001@c.us"
ME_NAME = "Toko (simulator)"
BUYER_ID = "6281234567890@c.us"
BUYER_LID = "128473649273645@lid"
BUYER_NAME = "Bu Rina"
# Where the simulated gateway says it keeps received files (never fetched over the network:
# `media_download` draws the picture from the URL).
SIM_FILES_URL = "http://waha.simulator.invalid"
SIM_TEMPLATES = (
    Template(
        name="status_pesanan",
        language="id",
        category="UTILITY",
        body="Halo {{1}}, pesanan {{2}} sudah kami kirim. Resi: {{3}}. Terima kasih sudah belanja!",
        params=3,
    ),
    Template(
        name="pengingat_pembayaran",
        language="id",
        category="UTILITY",
        body="Halo {{1}}, pesanan {{2}} menunggu pembayaran {{3}}. Balas pesan ini kalau ada pertanyaan ya.",
        params=3,
    ),
)

OPENERS = (
    "Kak, sambal pecelnya masih ada?",
    "Permisi, ongkir ke Wlingi berapa ya?",
    "Bisa COD nggak kak?",
    "Kak, kalau beli 3 bisa kurang harganya?",
)


def buyer_reply(text: str) -> str:
    """What the simulated buyer answers to the seller's message (Indonesian, keyword-driven)."""
    lower = text.lower()
    if "qris" in lower or "bayar" in lower or "pembayaran" in lower:
        return "Siap kak, sudah saya bayar lewat QRIS ya. Ditunggu kirimannya 🙏"
    if "resi" in lower or "kirim" in lower or "lacak" in lower:
        return "Oke kak, makasih infonya. Saya pantau resinya."
    if "rp" in lower or "harga" in lower or "stok" in lower:
        return "Wah boleh kak, saya ambil 2 ya. Bayarnya gimana?"
    if "cod" in lower:
        return "Oh gitu, ya sudah transfer aja kak."
    return "Oke kak, terima kasih 🙏"


Transport = Callable[[str, bytes, dict[str, str]], int]


def http_transport(url: str, raw: bytes, headers: dict[str, str]) -> int:
    """POST one event as WAHA does (JSON, 15 s timeout); returns the HTTP status."""
    return requests.post(url, data=raw, headers=headers, timeout=15).status_code


def _qr_value() -> str:
    # Shaped like the engine's: "<ref>,<noise key>,<identity key>,<adv secret>".
    return ",".join(["2@" + secrets.token_urlsafe(48)] + [secrets.token_urlsafe(32) for _ in range(3)])


def _number_ok(chat_id: str) -> bool:
    user, _sep, server = chat_id.partition("@")
    return server in ("c.us", "lid") and bool(re.fullmatch(r"\d{8,16}", user))


class SimulatorGateway:
    """WAHA offline. `hmac_key` signs events (this installation's secret), `webhook_url` is
    where they go, `transport` how (HTTP by default; tests pass one that calls the route in-process)."""

    name = "simulator"
    has_qr = True

    def __init__(self, *, hmac_key: str, webhook_url: str, transport: Transport | None = None) -> None:
        self.hmac_key = hmac_key
        self.webhook_url = webhook_url
        self.transport = transport or http_transport

    # --- state machine ---------------------------------------------------------------

    def _get(self, session: str) -> SimulatedWahaSession:
        sim = SimulatedWahaSession.objects.select_for_update().filter(name=session).first()
        if sim is None:
            raise GatewayError(PROVIDER, f"Session {session!r} does not exist", code="404", status=404)
        return sim

    def _set(self, sim: SimulatedWahaSession, status: str, at: datetime) -> None:
        sim.status = status
        self._emit(sim, "session.status", {"status": status}, due_at=at)

    def _advance(self, sim: SimulatedWahaSession, now: datetime) -> None:
        """Apply every transition that time has made due since the last look (lazily)."""
        if (
            sim.status == SessionState.STARTING
            and sim.started_at
            and now >= sim.started_at + timedelta(seconds=START_SECONDS)
        ):
            at = sim.started_at + timedelta(seconds=START_SECONDS)
            if sim.linked:
                self._set(sim, SessionState.WORKING, at)
            else:
                self._new_qr(sim, at, FIRST_QR_SECONDS)
        while sim.status == SessionState.SCAN_QR_CODE and sim.qr_expires_at and now >= sim.qr_expires_at:
            at = sim.qr_expires_at
            if sim.qr_refs_used >= QR_REFS:
                sim.qr_value, sim.qr_issued_at, sim.qr_expires_at = "", None, None
                self._set(sim, SessionState.FAILED, at)
            else:
                self._new_qr(sim, at, NEXT_QR_SECONDS)
        sim.save()

    def _new_qr(self, sim: SimulatedWahaSession, at: datetime, lifetime: int) -> None:
        sim.qr_value = _qr_value()
        sim.qr_issued_at = at
        sim.qr_expires_at = at + timedelta(seconds=lifetime)
        sim.qr_refs_used += 1
        # The worker looks again when this QR expires, so the next one is announced on time.
        self._schedule(sim.qr_expires_at)
        # WAHA re-emits SCAN_QR_CODE on every refresh: the client must fetch the new QR.
        self._set(sim, SessionState.SCAN_QR_CODE, at)

    def _info(self, sim: SimulatedWahaSession) -> SessionInfo:
        working = sim.status == SessionState.WORKING
        return SessionInfo(
            name=sim.name, status=sim.status, me=sim.me_id if working else "", me_name=ME_NAME if working else ""
        )

    def _locked(self, session: str, change: Callable[[SimulatedWahaSession, datetime], None] | None = None):
        with transaction.atomic():
            sim = self._get(session)
            now = timezone.now()
            self._advance(sim, now)
            if change is not None:
                change(sim, now)
                sim.save()
            return sim

    # --- WhatsAppGateway -------------------------------------------------------------

    def session_start(self, session: str) -> SessionInfo:
        with transaction.atomic():
            SimulatedWahaSession.objects.get_or_create(name=session)

        def start(sim: SimulatedWahaSession, now: datetime) -> None:
            if sim.status in (SessionState.STOPPED, SessionState.FAILED):
                sim.started_at, sim.qr_refs_used = now, 0
                sim.qr_value, sim.qr_issued_at, sim.qr_expires_at = "", None, None
                self._set(sim, SessionState.STARTING, now)
                self._schedule(now + timedelta(seconds=START_SECONDS))

        return self._info(self._locked(session, start))

    def session_status(self, session: str) -> SessionInfo:
        return self._info(self._locked(session))

    def session_stop(self, session: str) -> SessionInfo:
        def stop(sim: SimulatedWahaSession, now: datetime) -> None:
            sim.qr_value, sim.qr_issued_at, sim.qr_expires_at = "", None, None
            if sim.status != SessionState.STOPPED:
                self._set(sim, SessionState.STOPPED, now)

        return self._info(self._locked(session, stop))

    def session_logout(self, session: str) -> SessionInfo:
        def logout(sim: SimulatedWahaSession, now: datetime) -> None:
            sim.linked, sim.me_id, sim.stale_working = False, "", False
            sim.qr_value, sim.qr_issued_at, sim.qr_expires_at = "", None, None
            self._set(sim, SessionState.STOPPED, now)

        return self._info(self._locked(session, logout))

    def session_restart(self, session: str) -> SessionInfo:
        self.session_stop(session)
        return self.session_start(session)

    def qr_raw(self, session: str) -> QrCode:
        sim = self._locked(session)
        if sim.status != SessionState.SCAN_QR_CODE:
            raise SessionStateError(PROVIDER, state=sim.status, expected=[SessionState.SCAN_QR_CODE])
        return QrCode(value=sim.qr_value, expires_at=sim.qr_expires_at)

    def send_text(self, session: str, chat_id: str, text: str) -> SentMessage:
        return self._send(session, chat_id, text)

    def send_image(
        self, session: str, chat_id: str, *, data: bytes, mime: str, filename: str, caption: str = "", url: str = ""
    ) -> SentMessage:
        # WAHA takes the file (bytes or URL) and answers like sendText; acks follow the same way.
        if not data and not url:
            raise GatewayError(PROVIDER, "file.data or file.url is required", code="400", status=400)
        return self._send(session, chat_id, f"[image {mime}] {caption}".strip(), reply=caption or "foto")

    def send_template(self, session: str, chat_id: str, *, name: str, language: str, params: list[str]) -> SentMessage:
        template = next((t for t in SIM_TEMPLATES if t.name == name and t.language == language), None)
        if template is None:
            raise GatewayError(PROVIDER, f"(#132001) Template name does not exist: {name}", code="132001")
        if len(params) != template.params:
            raise GatewayError(PROVIDER, "(#132000) Number of parameters does not match", code="132000")
        text = template.body
        for index, value in enumerate(params, start=1):
            text = text.replace("{{" + str(index) + "}}", str(value))
        return self._send(session, chat_id, text)

    def templates_list(self) -> list[Template]:
        return list(SIM_TEMPLATES)

    def media_download(self, session: str, ref: str, *, limit: int) -> MediaFile:
        """The picture behind one of our `media.url`s: drawn from the URL (same URL, same bytes)."""
        match = re.search(r"/api/files/[\w-]+/([\w@.-]+)\.(jpg|png)$", ref or "")
        if match is None:
            raise GatewayError(PROVIDER, "No such file", code="404", status=404)
        data = _photo(match.group(1), "PNG" if match.group(2) == "png" else "JPEG")
        if len(data) > limit:
            raise GatewayError(PROVIDER, f"Media is larger than {limit} bytes", code="too_large")
        return MediaFile(data=data, mime="image/png" if match.group(2) == "png" else "image/jpeg")

    def lid_phone(self, session: str, lid: str) -> str | None:
        """WAHA's `GET /api/{s}/lids/{lid}`: the buyer's privacy id maps to her number; others to null."""
        with transaction.atomic():
            self._get(session)  # 404 for an unknown session, as WAHA
        return BUYER_ID if lid == BUYER_LID else None

    def _send(self, session: str, chat_id: str, text: str, *, reply: str | None = None) -> SentMessage:
        with transaction.atomic():
            sim = self._get(session)
            now = timezone.now()
            self._advance(sim, now)
            if sim.status != SessionState.WORKING:
                raise SessionStateError(PROVIDER, state=sim.status, expected=[SessionState.WORKING])
            message_id = f"true_{chat_id}_{secrets.token_hex(10).upper()}"
            SimulatedWahaMessage.objects.create(
                id=message_id, session_name=session, chat_id=chat_id, from_me=True, body=text
            )
            if not sim.linked:
                # Stale WORKING: the engine takes the message and nothing ever happens to it.
                return SentMessage(id=message_id, raw={"id": message_id, "ack": 0})
            if not _number_ok(chat_id):
                self._ack(sim, message_id, chat_id, -1, now + timedelta(seconds=1))
                return SentMessage(id=message_id, raw={"id": message_id, "ack": 0})
            chance = random.Random(message_id)
            stall_at = chance.choice((0, 1)) if chance.random() < sim.stall_rate else None
            for ack, delay in ((1, 1), (2, 2), (3, 4)):
                if stall_at is not None and ack > stall_at:
                    break
                self._ack(sim, message_id, chat_id, ack, now + timedelta(seconds=delay))
            if chat_id in (BUYER_ID, BUYER_LID) and stall_at is None:
                self._inbound(sim, chat_id, buyer_reply(reply or text), now + timedelta(seconds=6))
        return SentMessage(id=message_id, raw={"id": message_id, "ack": 0, "body": text})

    def verify_webhook(self, headers: dict[str, str], raw: bytes) -> bool:
        return waha_hmac_valid(self.hmac_key, raw, headers.get("X-Webhook-Hmac", ""))

    # --- development controls (dashboard buttons, tests) -----------------------------

    def scan(self, session: str, qr_value: str) -> SessionInfo:
        """A phone scans `qr_value`: links only when it is the current, unexpired QR.
        Raises GatewayError("qr_invalid") otherwise (an old or expired QR does nothing)."""
        with transaction.atomic():
            sim = self._get(session)
            now = timezone.now()
            self._advance(sim, now)
            current = sim.status == SessionState.SCAN_QR_CODE and sim.qr_value and sim.qr_expires_at
            if not current or not secrets.compare_digest(sim.qr_value, qr_value or "") or now >= sim.qr_expires_at:
                sim.save()
                raise GatewayError(PROVIDER, "This QR is not the current one or has expired", code="qr_invalid")
            sim.linked, sim.me_id, sim.stale_working = True, ME_ID, False
            sim.qr_value, sim.qr_issued_at, sim.qr_expires_at = "", None, None
            self._set(sim, SessionState.WORKING, now)
            sim.save()
        return self._info(sim)

    def buyer_write(self, session: str, text: str = "") -> str:
        """The simulated buyer writes first; returns the message id. Only a linked session receives."""
        with transaction.atomic():
            sim = self._get(session)
            self._advance(sim, timezone.now())
            if not (sim.linked and sim.status == SessionState.WORKING):
                raise SessionStateError(PROVIDER, state=sim.status, expected=[SessionState.WORKING])
            chat_id = BUYER_LID if sim.buyer_lid else BUYER_ID
            return self._inbound(sim, chat_id, text or random.choice(OPENERS), timezone.now())

    def buyer_send_photo(self, session: str, caption: str = "Kak, yang ini masih ada?") -> str:
        """The simulated buyer sends a photo of a product (a WAHA `message` with `hasMedia` and a
        `media.url` on the gateway); returns the message id."""
        with transaction.atomic():
            sim = self._get(session)
            self._advance(sim, timezone.now())
            if not (sim.linked and sim.status == SessionState.WORKING):
                raise SessionStateError(PROVIDER, state=sim.status, expected=[SessionState.WORKING])
            chat_id = BUYER_LID if sim.buyer_lid else BUYER_ID
            return self._inbound(sim, chat_id, caption, timezone.now(), photo=True)

    def unlink_phone(self, session: str, *, stale: bool = False) -> SessionInfo:
        """The seller removes the linked device on her phone. `stale`: the state lies (stays WORKING)."""

        def unlink(sim: SimulatedWahaSession, now: datetime) -> None:
            sim.linked, sim.stale_working = False, stale
            if not stale and sim.status == SessionState.WORKING:
                self._set(sim, SessionState.FAILED, now)

        return self._info(self._locked(session, unlink))

    def configure(self, session: str, *, stall_rate: float | None = None, buyer_lid: bool | None = None) -> None:
        updates: dict = {}
        if stall_rate is not None:
            updates["stall_rate"] = max(0.0, min(1.0, stall_rate))
        if buyer_lid is not None:
            updates["buyer_lid"] = buyer_lid
        SimulatedWahaSession.objects.filter(name=session).update(**updates)

    def elapse(self, session: str, seconds: float) -> None:
        """Let `seconds` pass for this session: rewinds its stored times and pending events."""
        delta = timedelta(seconds=seconds)
        with transaction.atomic():
            sim = self._get(session)
            for attr in ("started_at", "qr_issued_at", "qr_expires_at"):
                if getattr(sim, attr):
                    setattr(sim, attr, getattr(sim, attr) - delta)
            sim.save()
            SimulatedWahaEvent.objects.filter(session_name=session, delivered_at__isnull=True).update(
                due_at=F("due_at") - delta
            )

    # --- events ----------------------------------------------------------------------

    def _ack(self, sim: SimulatedWahaSession, message_id: str, chat_id: str, ack: int, at: datetime) -> None:
        payload = {
            "id": message_id,
            "from": sim.me_id,
            "to": chat_id,
            "fromMe": True,
            "participant": None,
            "ack": ack,
            "ackName": ACK_NAMES[ack],
        }
        self._emit(sim, "message.ack", payload, due_at=at)

    def _inbound(self, sim: SimulatedWahaSession, chat_id: str, text: str, at: datetime, *, photo: bool = False) -> str:
        message_id = f"false_{chat_id}_{secrets.token_hex(10).upper()}"
        SimulatedWahaMessage.objects.create(
            id=message_id, session_name=sim.name, chat_id=chat_id, from_me=False, body=text
        )
        payload = {
            "id": message_id,
            "timestamp": int(at.timestamp()),
            "from": chat_id,
            "fromMe": False,
            "to": sim.me_id,
            "body": text,
            "hasMedia": photo,
            "ack": 1,
            "ackName": "SERVER",
            "_data": {"notifyName": BUYER_NAME},
        }
        if photo:
            # WAHA serves received files from its own /api/files/{session}/{id}.{ext}.
            name = secrets.token_hex(8)
            payload["media"] = {
                "url": f"{SIM_FILES_URL}/api/files/{sim.name}/{name}.jpg",
                "mimetype": "image/jpeg",
                "filename": None,
                "error": None,
            }
        self._emit(sim, "message", payload, due_at=at)
        return message_id

    def _emit(self, sim: SimulatedWahaSession, event: str, payload: dict, *, due_at: datetime) -> None:
        event_id = "evt_" + secrets.token_hex(13)
        body = {
            "id": event_id,
            "timestamp": int(due_at.timestamp() * 1000),
            "event": event,
            "session": sim.name,
            "metadata": {},
            "me": {"id": sim.me_id, "pushName": ME_NAME} if sim.me_id else None,
            "payload": payload,
            "engine": "WEBJS",
            "environment": {"version": "2024.10.8", "engine": "WEBJS", "tier": "PLUS", "browser": None},
        }
        SimulatedWahaEvent.objects.create(id=event_id, session_name=sim.name, body=body, due_at=due_at)
        self._schedule(due_at)

    @staticmethod
    def _schedule(at: datetime) -> None:
        """Have the task worker run `pump` when the event is due (after this transaction commits)."""
        from whatsapp.tasks import simulator_pump_task

        transaction.on_commit(partial(_enqueue_pump, simulator_pump_task, at))

    def sign(self, raw: bytes, event_id: str = "") -> dict[str, str]:
        """The headers WAHA sends with a delivery."""
        return {
            "Content-Type": "application/json",
            "X-Webhook-Hmac": waha_hmac(self.hmac_key, raw),
            "X-Webhook-Hmac-Algorithm": "sha512",
            "X-Webhook-Request-Id": event_id or secrets.token_hex(8),
        }

    def pump(self, *, limit: int = 200) -> int:
        """Advance the running sessions, then POST every due event (oldest first); returns how
        many were delivered with a 2xx. A failed delivery is retried every 2 s, 15 attempts."""
        for name in SimulatedWahaSession.objects.filter(
            status__in=[SessionState.STARTING, SessionState.SCAN_QR_CODE]
        ).values_list("name", flat=True):
            self._locked(name)
        now = timezone.now()
        due = list(
            SimulatedWahaEvent.objects.filter(
                delivered_at__isnull=True, due_at__lte=now, attempts__lt=RETRY_ATTEMPTS
            ).order_by("due_at", "created_at")[:limit]
        )
        delivered = 0
        for event in due:
            # Claim the attempt: two pumps running at once deliver each attempt once.
            claimed = SimulatedWahaEvent.objects.filter(
                pk=event.pk, delivered_at__isnull=True, attempts=event.attempts
            ).update(attempts=event.attempts + 1)
            if not claimed:
                continue
            raw = json.dumps(event.body, separators=(",", ":"), ensure_ascii=False).encode()
            try:
                status = self.transport(self.webhook_url, raw, self.sign(raw, event.pk))
            except requests.RequestException as exc:
                logger.warning("Simulator could not deliver %s: %s", event.pk, exc)
                status = 0
            if 200 <= status < 300:
                SimulatedWahaEvent.objects.filter(pk=event.pk).update(delivered_at=timezone.now(), last_status=status)
                delivered += 1
            else:
                retry_at = timezone.now() + timedelta(seconds=RETRY_SECONDS)
                SimulatedWahaEvent.objects.filter(pk=event.pk).update(due_at=retry_at, last_status=status)
                if event.attempts + 1 < RETRY_ATTEMPTS:
                    _enqueue_pump_now(retry_at)
        return delivered


def _photo(seed: str, fmt: str) -> bytes:
    """A small product-like photo (a jar on a coloured table), the same for the same seed."""
    chance = random.Random(seed)
    img = Image.new("RGB", (480, 360), tuple(chance.randint(150, 230) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 250, 480, 360), fill=(120, 80, 50))
    jar = tuple(chance.randint(120, 220) for _ in range(3))
    draw.rounded_rectangle((180, 90, 300, 270), radius=18, fill=(180, 40, 30), outline=jar, width=6)
    draw.rectangle((190, 70, 290, 100), fill=(60, 60, 60))
    draw.text((196, 160), "SAMBAL", fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, format=fmt, quality=85)
    return out.getvalue()


def _enqueue_pump(task, at: datetime) -> None:
    try:
        task.using(run_after=at if at > timezone.now() else None).enqueue()
    except Exception:  # noqa: BLE001 - a lost pump is caught by the next one; never undo committed work
        logger.exception("Could not enqueue the WhatsApp simulator pump")


def _enqueue_pump_now(at: datetime) -> None:
    from whatsapp.tasks import simulator_pump_task

    _enqueue_pump(simulator_pump_task, at)
