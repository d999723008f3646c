"""A fake Midtrans Core API on 127.0.0.1 speaking the real wire format (for the live client tests).

It checks HTTP Basic auth (server key, empty password), answers /v2/charge for QRIS with the
fields Midtrans returns, keeps transactions for /v2/<order_id>/status and /cancel, and can be
told to fail with an HTTP status, a body-level status_code, or by not answering in time.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.utils import timezone


class FakeMidtrans:
    def __init__(self, server_key: str):
        self.server_key = server_key
        self.transactions: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.fail_http: int | None = None  # answer this HTTP status
        self.fail_body_code: str | None = None  # HTTP 200 with this body status_code (e.g. "406")
        self.delay: float = 0.0  # seconds before answering (timeouts)
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

            def _authorized(self) -> bool:
                expected = "Basic " + base64.b64encode(f"{fake.server_key}:".encode()).decode()
                return self.headers.get("Authorization") == expected

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if length else {}
                fake.requests.append({"method": method, "path": self.path, "body": body, "headers": dict(self.headers)})
                if fake.delay:
                    time.sleep(fake.delay)
                if not self._authorized():
                    self._reply(401, {"status_code": "401", "status_message": "Access denied due to unauthorized"})
                    return
                if fake.fail_http:
                    self._reply(fake.fail_http, {"status_code": str(fake.fail_http), "status_message": "Sorry"})
                    return
                if fake.fail_body_code:
                    self._reply(200, {"status_code": fake.fail_body_code, "status_message": "Rejected"})
                    return
                parts = self.path.strip("/").split("/")
                if method == "POST" and parts == ["v2", "charge"]:
                    self._reply(200, fake.charge(body))
                elif len(parts) == 3 and parts[0] == "v2" and parts[2] in ("status", "cancel"):
                    tx = fake.transactions.get(parts[1])
                    if tx is None:
                        self._reply(404, {"status_code": "404", "status_message": "Transaction doesn't exist."})
                        return
                    if parts[2] == "cancel":
                        tx["transaction_status"] = "cancel"
                    self._reply(200, tx)
                else:
                    self._reply(404, {"status_code": "404", "status_message": "Not found"})

            def do_POST(self) -> None:  # noqa: N802 - http.server API
                self._handle("POST")

            def do_GET(self) -> None:  # noqa: N802 - http.server API
                self._handle("GET")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def charge(self, body: dict) -> dict:
        details = body.get("transaction_details", {})
        order_id = details.get("order_id")
        if body.get("payment_type") != "qris":
            return {"status_code": "400", "status_message": "payment_type must be qris here"}
        if order_id in self.transactions:
            return {"status_code": "406", "status_message": "The request could not be completed: order_id taken"}
        now = timezone.localtime(timezone.now())
        minutes = body.get("custom_expiry", {}).get("expiry_duration", 15)
        tx = {
            "status_code": "201",
            "status_message": "QRIS transaction is created",
            "transaction_id": f"fake-{len(self.transactions) + 1}",
            "order_id": order_id,
            "merchant_id": "G000FAKE",
            "gross_amount": f"{int(details.get('gross_amount')):d}.00",
            "currency": "IDR",
            "payment_type": "qris",
            "transaction_time": now.strftime("%Y-%m-%d %H:%M:%S"),
            "transaction_status": "pending",
            "fraud_status": "accept",
            "acquirer": "gopay",
            "qr_string": f"00020101021226FAKEQRIS{order_id}6304ABCD",
            "expiry_time": (now + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S"),
            "actions": [
                {
                    "name": "generate-qr-code",
                    "method": "GET",
                    "url": f"{self.url}/v2/qris/{order_id}/qr-code",
                }
            ],
        }
        self.transactions[order_id] = tx
        return tx

    def __enter__(self) -> FakeMidtrans:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
