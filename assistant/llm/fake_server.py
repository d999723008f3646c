"""A fake Anthropic API on 127.0.0.1 for the live backend's tests: the simulator's wire
protocol (`assistant.llm.wire`) served over real HTTP/1.1 in a thread, frame by frame.

    with FakeAnthropicServer(api_key="sk-test") as server:
        server.script.append(Plan().call("feature_store", {...}))   # the next turn, scripted
        server.faults.append("overloaded_midstream")                # or a fault for the next request
        ... AnthropicModel(api_key="sk-test", base_url=server.url) ...
        server.requests  # every request body (parsed) and headers, in order
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from assistant.llm import brain, wire


class FakeAnthropicServer:
    def __init__(self, *, api_key: str, frame_delay: float = 0.0, stamp: bool = False):
        self.api_key = api_key
        self.frame_delay = frame_delay
        # bench/ai_stream.py: "@@TS@@" in a frame becomes time.time_ns() at the moment it is sent.
        self.stamp = stamp
        self.script: deque[brain.Plan] = deque()
        self.faults: deque[str] = deque()
        self.requests: list[dict[str, Any]] = []
        # Per streamed response: "completed", or "aborted" when the client went away mid-stream.
        self.streams: list[str] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeAnthropicServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _next(self) -> tuple[brain.Plan | None, str]:
        with self._lock:
            fault = self.faults.popleft() if self.faults else ""
            plan = self.script.popleft() if self.script and not fault else None
            return plan, fault

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Small SSE frames must leave at once (as the API's do), not wait for Nagle + delayed ACK.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                return

            def do_POST(self) -> None:  # noqa: N802 - stdlib name
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    parsed = json.loads(body or b"null")
                except ValueError:
                    parsed = None
                with server._lock:
                    server.requests.append({"headers": headers, "body": parsed})
                plan, fault = server._next()
                reply = wire.handle(
                    method="POST",
                    path=self.path,
                    headers=headers,
                    body=body,
                    api_key=server.api_key,
                    plan=plan,
                    fault=fault,
                )
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                if not reply.streaming:
                    self.send_header("content-length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                    return
                self.send_header("connection", "close")
                self.end_headers()
                self.close_connection = True
                sent = 0
                try:
                    for frame in reply.frames:
                        if server.frame_delay:
                            time.sleep(server.frame_delay)
                        if server.stamp:
                            frame = frame.replace(b"@@TS@@", str(time.time_ns()).encode())
                        self.wfile.write(frame)
                        self.wfile.flush()
                        sent += 1
                except (BrokenPipeError, ConnectionResetError):
                    pass
                server.streams.append("completed" if sent == len(reply.frames) else "aborted")

        return Handler
