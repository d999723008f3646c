"""WAHA (devlikeapro/waha) live client over its HTTP API.

Auth `X-Api-Key`. Sessions: `POST /api/sessions` (create, with our webhook and its HMAC key),
`POST /api/sessions/{s}/start|stop|logout|restart`, `GET /api/sessions/{s}`. QR:
`GET /api/{s}/auth/qr?format=raw` → `{value}`. Send: `POST /api/sendText {session, chatId, text}`,
`POST /api/sendImage {session, chatId, file: {mimetype, filename, url | data (base64)}, caption}`.
Inbound media: the `message` payload's `media.url` (a file on the WAHA server, fetched with the
X-Api-Key). `@lid` senders: `GET /api/{s}/lids/{lid}` → `{lid, pn}` (pn may be null).
WAHA answers 422 `{error, session, status, expected}` when the session is in the wrong state
(after waiting up to 5 s itself): that becomes `SessionStateError`.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from whatsapp.gateways.base import (
    GatewayError,
    MediaFile,
    QrCode,
    SentMessage,
    SessionInfo,
    SessionStateError,
    read_limited,
    waha_hmac_valid,
)

PROVIDER = "WAHA"
EVENTS = ["session.status", "message", "message.ack"]


class WahaGateway:
    name = "waha"
    has_qr = True

    def __init__(
        self, *, api_key: str, base_url: str, hmac_key: str, webhook_url: str = "", timeout: float = 15.0
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")
        self.hmac_key = hmac_key
        self.webhook_url = webhook_url
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers.update({"X-Api-Key": api_key, "Accept": "application/json"})

    # --- HTTP ------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, json: Any = None, params: dict | None = None) -> Any:
        try:
            response = self.http.request(method, self.base_url + path, json=json, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise GatewayError(PROVIDER, f"WAHA unreachable: {exc}", code="network", retryable=True) from exc
        body: Any
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {"error": response.text[:200]}
        if response.status_code == 422 and isinstance(body, dict) and "expected" in body:
            raise SessionStateError(
                PROVIDER,
                state=str(body.get("status") or ""),
                expected=[str(s) for s in body.get("expected") or []],
                message=str(body.get("error") or ""),
            )
        if response.status_code >= 400:
            message = body.get("message") or body.get("error") if isinstance(body, dict) else None
            raise GatewayError(
                PROVIDER,
                f"WAHA answered HTTP {response.status_code}: {message or response.reason}",
                code=str(response.status_code),
                retryable=response.status_code >= 500 or response.status_code == 429,
                status=response.status_code,
            )
        return body

    @staticmethod
    def _info(body: dict) -> SessionInfo:
        me = body.get("me") or {}
        return SessionInfo(
            name=str(body.get("name") or ""),
            status=str(body.get("status") or ""),
            me=str(me.get("id") or ""),
            me_name=str(me.get("pushName") or ""),
        )

    # --- sessions --------------------------------------------------------------------

    def session_start(self, session: str) -> SessionInfo:
        config = {
            "webhooks": [
                {
                    "url": self.webhook_url,
                    "events": EVENTS,
                    "hmac": {"key": self.hmac_key},
                    "retries": {"policy": "constant", "delaySeconds": 2, "attempts": 15},
                }
            ]
        }
        try:
            body = self._call("POST", "/api/sessions", json={"name": session, "start": True, "config": config})
            return self._info(body)
        except GatewayError as exc:
            if exc.status != 422 and exc.status != 409:
                raise
        # It exists already: make sure it runs (start on a running session is harmless).
        return self._info(self._call("POST", f"/api/sessions/{session}/start"))

    def session_status(self, session: str) -> SessionInfo:
        return self._info(self._call("GET", f"/api/sessions/{session}"))

    def session_stop(self, session: str) -> SessionInfo:
        return self._info(self._call("POST", f"/api/sessions/{session}/stop"))

    def session_logout(self, session: str) -> SessionInfo:
        return self._info(self._call("POST", f"/api/sessions/{session}/logout"))

    def session_restart(self, session: str) -> SessionInfo:
        return self._info(self._call("POST", f"/api/sessions/{session}/restart"))

    # --- QR and messages -------------------------------------------------------------

    def qr_raw(self, session: str) -> QrCode:
        body = self._call("GET", f"/api/{session}/auth/qr", params={"format": "raw"})
        value = body.get("value") if isinstance(body, dict) else None
        if not value:
            raise GatewayError(PROVIDER, "WAHA returned no QR value", code="no_qr", retryable=True)
        return QrCode(value=str(value))

    def send_text(self, session: str, chat_id: str, text: str) -> SentMessage:
        body = self._call("POST", "/api/sendText", json={"session": session, "chatId": chat_id, "text": text})
        return self._sent(body)

    def send_image(
        self, session: str, chat_id: str, *, data: bytes, mime: str, filename: str, caption: str = "", url: str = ""
    ) -> SentMessage:
        # A public URL lets WAHA fetch the file itself; otherwise the bytes travel base64 (BinaryFile).
        file = {"mimetype": mime, "filename": filename}
        file.update({"url": url} if url else {"data": base64.b64encode(data).decode()})
        body = self._call(
            "POST", "/api/sendImage", json={"session": session, "chatId": chat_id, "file": file, "caption": caption}
        )
        return self._sent(body)

    def media_download(self, session: str, ref: str, *, limit: int) -> MediaFile:
        # WAHA's file URLs point at its own /api/files/… (behind the API key): only follow URLs
        # on the configured WAHA host, so a forged payload cannot make us fetch elsewhere with it.
        target = urlsplit(ref)
        if not ref.startswith(("http://", "https://")) or target.netloc != urlsplit(self.base_url).netloc:
            path = target.path if target.path.startswith("/api/files/") else ""
            if not path:
                raise GatewayError(PROVIDER, "Media URL is not on the WAHA server", code="bad_media_url")
            ref = self.base_url + path
        try:
            with self.http.get(ref, timeout=self.timeout, stream=True) as response:
                if response.status_code >= 400:
                    raise GatewayError(
                        PROVIDER,
                        f"WAHA answered HTTP {response.status_code} for the media",
                        code=str(response.status_code),
                        retryable=response.status_code >= 500,
                        status=response.status_code,
                    )
                data = read_limited(response, limit, PROVIDER)
                mime = response.headers.get("Content-Type", "").split(";")[0].strip()
        except requests.RequestException as exc:
            raise GatewayError(PROVIDER, f"WAHA unreachable: {exc}", code="network", retryable=True) from exc
        return MediaFile(data=data, mime=mime)

    def lid_phone(self, session: str, lid: str) -> str | None:
        body = self._call("GET", f"/api/{session}/lids/{quote(lid, safe='')}")
        pn = body.get("pn") if isinstance(body, dict) else None
        return str(pn) if pn else None

    @staticmethod
    def _sent(body: Any) -> SentMessage:
        message_id = body.get("id") if isinstance(body, dict) else None
        if isinstance(message_id, dict):  # WEBJS/NOWEB serialize the id object: {_serialized, …}
            message_id = message_id.get("_serialized")
        if not message_id:
            raise GatewayError(PROVIDER, "WAHA returned no message id", code="no_id")
        return SentMessage(id=str(message_id), raw=body)

    def verify_webhook(self, headers: dict[str, str], raw: bytes) -> bool:
        return waha_hmac_valid(self.hmac_key, raw, headers.get("X-Webhook-Hmac", ""))
