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

from typing import Any

import requests

from whatsapp.gateways.base import GatewayError, QrCode, SentMessage, SessionInfo, meta_signature_valid

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
        graph_version: str = "v25.0",
        base_url: str | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.phone_number_id = phone_number_id
        self.app_secret = app_secret
        self.verify_token = verify_token
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

    def send_text(self, session: str, chat_id: str, text: str) -> SentMessage:
        to = chat_id.split("@", 1)[0]
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "text",
            "text": {"body": text, "preview_url": False},
        }
        try:
            response = self.http.post(f"{self.base}/{self.phone_number_id}/messages", json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise GatewayError(PROVIDER, f"Graph API unreachable: {exc}", code="network", retryable=True) from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code >= 400 or not isinstance(answer, dict):
            raise graph_error(response.status_code, answer)
        messages = answer.get("messages") or []
        if not messages or not messages[0].get("id"):
            raise GatewayError(PROVIDER, "Graph API returned no message id", code="no_id")
        return SentMessage(id=str(messages[0]["id"]), raw=answer)

    def verify_webhook(self, headers: dict[str, str], raw: bytes) -> bool:
        return meta_signature_valid(self.app_secret, raw, headers.get("X-Hub-Signature-256", ""))
