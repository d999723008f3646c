"""WhatsApp Cloud API (Meta) live client: `POST /{phone_number_id}/messages` on a pinned Graph
version with a Bearer token.

There is no QR and no session to start: the business phone number is registered at Meta, so a
Cloud session is WORKING once configured. Graph errors `{"error": {message, type, code,
error_data, fbtrace_id}}` become `GatewayError` with the Graph code; throughput (130429, 4,
80007, 131056) and service errors (131016, 131000, 5xx) are retryable, the rest are not (a bad
parameter or an expired token will not fix itself). Outside the 24-hour window a free-text
send still answers 200; the 131047 failure arrives later as a `failed` status webhook.
"""

from __future__ import annotations

import re
from typing import Any

import requests

from whatsapp.gateways.base import (
    GatewayError,
    MediaFile,
    QrCode,
    SentMessage,
    SessionInfo,
    Template,
    meta_signature_valid,
    read_limited,
)

PROVIDER = "WhatsApp Cloud API"
GRAPH = "https://graph.facebook.com"
RETRYABLE_CODES = {"4", "80007", "130429", "131056", "131016", "131000", "2"}


def graph_error(status: int, body: Any) -> GatewayError:
    """The Graph error envelope as a GatewayError (code = Graph code, message = Graph message)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return GatewayError(PROVIDER, f"Graph API answered HTTP {status}", code=str(status), retryable=status >= 500)
    code = str(error.get("code") or status)
    details = (error.get("error_data") or {}).get("details") if isinstance(error.get("error_data"), dict) else ""
    message = str(error.get("message") or "Graph API error") + (f" ({details})" if details else "")
    return GatewayError(PROVIDER, message, code=code, retryable=code in RETRYABLE_CODES or status >= 500, status=status)


class CloudApiGateway:
    name = "cloud"
    has_qr = False

    def __init__(
        self,
        *,
        access_token: str,
        phone_number_id: str,
        app_secret: str,
        verify_token: str,
        waba_id: str = "",
        graph_version: str = "v25.0",
        base_url: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.phone_number_id = phone_number_id
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.waba_id = waba_id
        self.base = f"{(base_url or GRAPH).rstrip('/')}/{graph_version}"
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers.update({"Authorization": f"Bearer {access_token}"})

    def _info(self) -> SessionInfo:
        return SessionInfo(name=self.phone_number_id, status="WORKING", me=self.phone_number_id)

    # The number lives at Meta: nothing to start, stop or scan.
    def session_start(self, session: str) -> SessionInfo:
        return self._info()

    def session_status(self, session: str) -> SessionInfo:
        return self._info()

    def session_stop(self, session: str) -> SessionInfo:
        return self._info()

    def session_logout(self, session: str) -> SessionInfo:
        return self._info()

    def session_restart(self, session: str) -> SessionInfo:
        return self._info()

    def qr_raw(self, session: str) -> QrCode:
        raise GatewayError(PROVIDER, "The Cloud API links numbers at Meta, not by QR", code="no_qr")

    def _graph(self, method: str, path: str, **kwargs: Any) -> dict:
        try:
            response = self.http.request(method, f"{self.base}/{path}", timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise GatewayError(PROVIDER, f"Graph API unreachable: {exc}", code="network", retryable=True) from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code >= 400 or not isinstance(answer, dict):
            raise graph_error(response.status_code, answer)
        return answer

    def _message(self, chat_id: str, kind: str, content: dict) -> SentMessage:
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": chat_id.split("@", 1)[0],
            "type": kind,
            kind: content,
        }
        answer = self._graph("POST", f"{self.phone_number_id}/messages", json=body)
        messages = answer.get("messages") or []
        if not messages or not messages[0].get("id"):
            raise GatewayError(PROVIDER, "Graph API returned no message id", code="no_id")
        return SentMessage(id=str(messages[0]["id"]), raw=answer)

    def send_text(self, session: str, chat_id: str, text: str) -> SentMessage:
        return self._message(chat_id, "text", {"body": text, "preview_url": False})

    def send_image(
        self, session: str, chat_id: str, *, data: bytes, mime: str, filename: str, caption: str = "", url: str = ""
    ) -> SentMessage:
        if url:
            image = {"link": url}
        else:
            uploaded = self._graph(
                "POST",
                f"{self.phone_number_id}/media",
                data={"messaging_product": "whatsapp", "type": mime},
                files={"file": (filename, data, mime)},
            )
            if not uploaded.get("id"):
                raise GatewayError(PROVIDER, "Graph API returned no media id", code="no_id")
            image = {"id": str(uploaded["id"])}
        if caption:
            image["caption"] = caption[:1024]
        return self._message(chat_id, "image", image)

    def send_template(self, session: str, chat_id: str, *, name: str, language: str, params: list[str]) -> SentMessage:
        """A template message (allowed outside the 24-hour window) with its body parameters."""
        content: dict[str, Any] = {"name": name, "language": {"code": language}}
        if params:
            content["components"] = [
                {"type": "body", "parameters": [{"type": "text", "text": str(value)} for value in params]}
            ]
        return self._message(chat_id, "template", content)

    def templates_list(self) -> list[Template]:
        """The WABA's approved templates (`GET /{waba_id}/message_templates`, every page)."""
        if not self.waba_id:
            raise GatewayError(PROVIDER, "WHATSAPP_CLOUD_WABA_ID is not set", code="no_waba_id")
        found: list[Template] = []
        params: dict[str, Any] = {"fields": "name,language,status,category,components", "limit": 100}
        path = f"{self.waba_id}/message_templates"
        for _page in range(20):  # 2,000 templates is far more than a shop has
            answer = self._graph("GET", path, params=params)
            for row in answer.get("data") or []:
                if str(row.get("status") or "").upper() != "APPROVED":
                    continue
                body = next(
                    (c.get("text") or "" for c in row.get("components") or [] if str(c.get("type")).upper() == "BODY"),
                    "",
                )
                found.append(
                    Template(
                        name=str(row.get("name") or ""),
                        language=str(row.get("language") or ""),
                        category=str(row.get("category") or ""),
                        body=body,
                        params=len(set(re.findall(r"\{\{(\d+)\}\}", body))),
                    )
                )
            after = ((answer.get("paging") or {}).get("cursors") or {}).get("after")
            if not after or not (answer.get("paging") or {}).get("next"):
                break
            params = {**params, "after": after}
        return found

    def media_download(self, session: str, ref: str, *, limit: int) -> MediaFile:
        if not ref.isdigit():  # a media id is a number; never a path of our choosing
            raise GatewayError(PROVIDER, "Not a media id", code="bad_media_id")
        info = self._graph("GET", ref)
        url = str(info.get("url") or "")
        if not url:
            raise GatewayError(PROVIDER, "Graph API returned no media URL", code="no_media_url")
        size = info.get("file_size")
        if isinstance(size, int) and size > limit:
            raise GatewayError(PROVIDER, f"Media is larger than {limit} bytes", code="too_large")
        try:
            # The URL lives 5 minutes and needs the same Bearer token.
            with self.http.get(url, timeout=self.timeout, stream=True) as response:
                if response.status_code >= 400:
                    raise GatewayError(
                        PROVIDER,
                        f"Media download answered HTTP {response.status_code}",
                        code=str(response.status_code),
                        retryable=response.status_code >= 500 or response.status_code == 404,
                        status=response.status_code,
                    )
                data = read_limited(response, limit, PROVIDER)
        except requests.RequestException as exc:
            raise GatewayError(PROVIDER, f"Graph API unreachable: {exc}", code="network", retryable=True) from exc
        return MediaFile(data=data, mime=str(info.get("mime_type") or ""))

    def lid_phone(self, session: str, lid: str) -> str | None:
        return None  # Cloud senders come with their wa_id (or a BSUID without any phone)

    def verify_webhook(self, headers: dict[str, str], raw: bytes) -> bool:
        return meta_signature_valid(self.app_secret, raw, headers.get("X-Hub-Signature-256", ""))
