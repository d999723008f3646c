"""A local fake of Replicate's HTTP API on 127.0.0.1, for the live client's tests.

Speaks what the SDK uses: `POST /v1/files` (multipart `content`), `POST /v1/predictions`
(`version`) and `POST /v1/models/{o}/{n}/predictions`, `GET /v1/predictions/{id}`,
`POST /v1/predictions/{id}/cancel`, `GET /v1/webhooks/default/secret`; output files under
`/delivery/…` that expire (404) like Replicate's after retention. Errors are RFC 7807 bodies.
`sign()` signs a webhook delivery the way Replicate does (whsec_/v1, base64 HMAC-SHA256).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image


def output_png(color: tuple[int, int, int] = (240, 236, 228), size: tuple[int, int] = (96, 96)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


@dataclass
class FakeReplicate:
    token: str
    secret: str = field(default_factory=lambda: "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode())
    predictions: dict[str, dict] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    outputs: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    fail_create: bool = False
    url: str = ""

    # --- state changes the test drives ---------------------------------------------------

    def new_prediction(self, body: dict, model: str) -> dict:
        pid = secrets.token_hex(10)
        prediction = {
            "id": pid,
            "model": model,
            "version": body.get("version") or "",
            "status": "starting",
            "input": body.get("input"),
            "output": None,
            "logs": "",
            "error": None,
            "metrics": {},
            "created_at": "2026-12-01T04:00:00Z",
            "started_at": None,
            "completed_at": None,
            "data_removed": False,
            "urls": {"get": f"{self.url}/v1/predictions/{pid}", "cancel": f"{self.url}/v1/predictions/{pid}/cancel"},
            "webhook": body.get("webhook"),
            "webhook_events_filter": body.get("webhook_events_filter"),
        }
        self.predictions[pid] = prediction
        return prediction

    def succeed(self, pid: str, png: bytes | None = None) -> dict:
        self.outputs[pid] = png or output_png()
        self.predictions[pid].update(
            status="succeeded", output=f"{self.url}/delivery/{pid}/out.png", completed_at="2026-12-01T04:00:09Z"
        )
        return self.predictions[pid]

    def fail(self, pid: str, error: str = "CUDA out of memory") -> dict:
        self.predictions[pid].update(status="failed", error=error, completed_at="2026-12-01T04:00:09Z")
        return self.predictions[pid]

    def expire_outputs(self, pid: str) -> None:
        self.outputs.pop(pid, None)
        self.predictions[pid].update(output=None, data_removed=True)

    def sign(self, body: bytes, webhook_id: str | None = None, *, secret: str | None = None) -> dict[str, str]:
        """Headers of a webhook delivery signed like Replicate's (stable id across retries)."""
        webhook_id = webhook_id or "msg_" + secrets.token_hex(8)
        timestamp = str(int(time.time()))
        key = base64.b64decode((secret or self.secret).split("_", 1)[1])
        digest = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
        return {
            "webhook-id": webhook_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": "v1," + base64.b64encode(digest).decode(),
        }


def _handler(fake: FakeReplicate) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return None

        def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _problem(self, status: int, title: str, detail: str) -> None:
            self._send(status, {"type": "about:blank", "title": title, "status": status, "detail": detail})

        def _authorized(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {fake.token}":
                self._problem(401, "Unauthenticated", "You did not pass a valid authentication token")
                return False
            return True

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def do_GET(self) -> None:  # noqa: N802
            fake.requests.append(("GET", self.path))
            if self.path.startswith("/delivery/"):
                pid = self.path.split("/")[2]
                if pid not in fake.outputs:
                    return self._problem(404, "Not found", "output removed")
                return self._send(200, fake.outputs[pid], "image/png")
            if not self._authorized():
                return None
            if self.path == "/v1/webhooks/default/secret":
                return self._send(200, {"key": fake.secret})
            if self.path.startswith("/v1/predictions/"):
                pid = self.path.split("/")[3]
                if pid not in fake.predictions:
                    return self._problem(404, "Not found", "prediction not found")
                return self._send(200, fake.predictions[pid])
            return self._problem(404, "Not found", self.path)

        def do_POST(self) -> None:  # noqa: N802
            fake.requests.append(("POST", self.path))
            if not self._authorized():
                return None
            raw = self._body()
            if self.path == "/v1/files":
                fid = secrets.token_hex(6)
                fake.files[fid] = raw
                return self._send(
                    201,
                    {
                        "id": fid,
                        "name": "photo.jpg",
                        "content_type": "image/jpeg",
                        "size": len(raw),
                        "etag": fid,
                        "checksums": {},
                        "metadata": {},
                        "created_at": "2026-12-01T04:00:00Z",
                        "expires_at": None,
                        "urls": {"get": f"{fake.url}/v1/files/{fid}"},
                    },
                )
            if self.path.endswith("/cancel"):
                pid = self.path.split("/")[3]
                if pid in fake.predictions and fake.predictions[pid]["status"] in ("starting", "processing"):
                    fake.predictions[pid]["status"] = "canceled"
                return self._send(200, fake.predictions.get(pid, {}))
            if fake.fail_create:
                return self._problem(422, "Invalid version", "The specified version does not exist")
            body = json.loads(raw or b"{}")
            if self.path == "/v1/predictions":
                return self._send(201, fake.new_prediction(body, model="owner/model"))
            if self.path.startswith("/v1/models/") and self.path.endswith("/predictions"):
                owner, name = self.path.split("/")[3:5]
                return self._send(201, fake.new_prediction(body, model=f"{owner}/{name}"))
            return self._problem(404, "Not found", self.path)

    return Handler


class FakeReplicateServer:
    def __init__(self, token: str) -> None:
        self.fake = FakeReplicate(token=token)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        self.fake.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeReplicate:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
