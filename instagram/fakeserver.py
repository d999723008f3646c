"""Serve a `GraphPlatform` (the handler the simulator plugs in as `httpx.MockTransport`) over
real HTTP on 127.0.0.1, so the live `InstagramGraphClient` is tested against a server that
speaks the Graph API's wire protocol (the small idea of marketplace/channels/fakeserver.py).

    with FakeGraphServer(GraphPlatform(MemoryState(), ...)) as server:
        client = InstagramGraphClient(app_id=..., app_secret=..., graph_url=server.url,
                                      token_url=server.url + "/oauth/access_token")
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

Handler = Callable[[httpx.Request], httpx.Response]


class FakeGraphServer:
    """A ThreadingHTTPServer on 127.0.0.1 (free port) answering with `handler`.
    `url`: its base URL; `requests`: every request received, in order."""

    def __init__(self, handler: Handler):
        self.handler = handler
        self.requests: list[httpx.Request] = []
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    def __enter__(self) -> FakeGraphServer:
        outer = self

        class _Request(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = httpx.Request(
                    self.command, f"{outer.url}{self.path}", headers=list(self.headers.items()), content=body
                )
                outer.requests.append(request)
                response = outer.handler(request)
                payload = response.read()
                self.send_response(response.status_code)
                for key, value in response.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Request)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
