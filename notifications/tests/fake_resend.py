"""A fake Resend API on 127.0.0.1 speaking its wire format: `POST /emails` with
`Authorization: Bearer <api key>` and a JSON body (from, to, subject, html, text, ...), answering
`{"id": ...}`; a wrong key gets Resend's 401/403 error body, and `fail_http` makes it answer an error."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeResend:
    def __init__(self, api_key: str):
        self.api_key = api_key
        self.requests: list[dict] = []
        self.fail_http: int | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _reply(self, status: int, body: dict) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                auth = self.headers.get("Authorization", "")
                if not auth.startswith("Bearer "):
                    self._reply(401, {"statusCode": 401, "name": "missing_api_key", "message": "Missing API key"})
                elif auth != f"Bearer {fake.api_key}":
                    self._reply(403, {"statusCode": 403, "name": "invalid_api_key", "message": "API key is invalid"})
                elif self.path.rstrip("/") != "/emails":
                    self._reply(404, {"statusCode": 404, "name": "not_found", "message": "Not found"})
                elif fake.fail_http:
                    self._reply(fake.fail_http, {"statusCode": fake.fail_http, "name": "internal_server_error",
                                                 "message": "Try again later"})  # fmt: skip
                elif not body.get("to") or not body.get("from") or not body.get("subject"):
                    self._reply(422, {"statusCode": 422, "name": "validation_error", "message": "Missing field"})
                else:
                    self._reply(200, {"id": str(uuid.uuid4())})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self) -> FakeResend:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
