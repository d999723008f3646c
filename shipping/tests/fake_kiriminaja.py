"""A fake KiriminAja API on 127.0.0.1 speaking its wire format (for the live client tests).

It checks `Authorization: Bearer <key>`, answers shipping_price / schedules / request_pickup
with real-shaped JSON, records every request, and can be told to fail (HTTP 5xx, a
`"status": false` refusal, or a slow answer that trips the client's timeout).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "ka-test-key-123"


class FakeKiriminAja:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.fail_status: int | None = None  # answer every call with this HTTP status
        self.refuse: str | None = None  # answer 200 {"status": false, "text": refuse}
        self.delay: float = 0.0
        self.pickups = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                fake.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if fake.delay:
                    time.sleep(fake.delay)
                if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                    return self._send(401, {"status": False, "text": "Unauthenticated"})
                if fake.fail_status:
                    return self._send(fake.fail_status, {"status": False, "text": "Server error"})
                if fake.refuse:
                    return self._send(
                        200, {"status": False, "method": self.path.rsplit("/", 1)[-1], "text": fake.refuse}
                    )
                if self.path == "/api/mitra/v6.1/shipping_price":
                    return self._send(200, fake.shipping_price(body))
                if self.path == "/api/mitra/v2/schedules":
                    return self._send(
                        200,
                        {
                            "status": True,
                            "text": "Success",
                            "schedules": [
                                {
                                    "clock": "2026-11-23 09:00:00",
                                    "until": "2026-11-23 11:00:00",
                                    "expired": True,
                                    "libur": False,
                                },
                                {
                                    "clock": "2026-11-23 14:00:00",
                                    "until": "2026-11-23 16:00:00",
                                    "expired": False,
                                    "libur": False,
                                },
                            ],
                        },
                    )
                if self.path == "/api/mitra/v6.1/request_pickup":
                    fake.pickups += 1
                    packages = body["packages"]
                    return self._send(
                        200,
                        {
                            "status": True,
                            "method": "request_pickup",
                            "text": "Request pickup berhasil",
                            "payment_status": "paid",
                            "pickup_number": f"XID-{fake.pickups:06d}",
                            "details": {"kj_order_id": f"OID-{fake.pickups:06d}", "schedule": body["schedule"]},
                            "data": [
                                {"order_id": p["order_id"], "kj_order_id": f"OID-{fake.pickups:06d}", "awb": None}
                                for p in packages
                            ],
                        },
                    )
                return self._send(404, {"status": False, "text": "Not found"})

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @staticmethod
    def shipping_price(body: dict) -> dict:
        kg = max(1, -(-int(body["weight"]) // 1000))
        table = {
            "jne": [("REG23", "JNE Reguler", 11000, "2-3"), ("YES23", "JNE YES", 19000, "1")],
            "sicepat": [("REG", "SiCepat REG", 10500, "2-3")],
            "jnt": [("EZ", "J&T EZ", 11500, "2-3")],
        }
        results = []
        for courier in body["courier"]:
            for service_type, name, per_kg, etd in table.get(courier, []):
                results.append(
                    {
                        "service": courier,
                        "service_name": name,
                        "service_type": service_type,
                        "cost": str(per_kg * kg),
                        "etd": etd,
                        "cod": True,
                        "group": "regular",
                        "drop": False,
                        "cut_off_time": None,
                        "force_insurance": False,
                        "insurance": 0,
                    }
                )
        return {
            "status": True,
            "method": "shipping_price",
            "text": "Success",
            "details": {
                "origin_district_id": body["origin"],
                "destination_district_id": body["destination"],
                "weight": body["weight"],
            },
            "results": results,
        }

    def __enter__(self) -> FakeKiriminAja:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
