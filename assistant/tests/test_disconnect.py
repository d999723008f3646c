"""A browser that goes away mid-stream stops the model call (our ASGI handler, as served)."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from accounts.services import user_issue_token
from assistant.llm import STREAM_LOG
from assistant.models import ChatMessage
from tokoblitar.asgi_handler import get_asgi_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def asgi_app():
    # As Django's test client does: keep the test's connection (and its transaction) open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_asgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_disconnect_mid_stream_stops_the_model_call(seller, settings, asgi_app):
    settings.AI_SIMULATOR_FRAME_DELAY = 0.02
    token = user_issue_token(user=seller)
    body = json.dumps({"message": "halo"}).encode()  # answered with a long text
    sent: list[dict] = []

    async def go() -> None:
        first_text = asyncio.Event()
        state = {"read": False}

        async def receive() -> dict:
            if not state["read"]:
                state["read"] = True
                return {"type": "http.request", "body": body, "more_body": False}
            await first_text.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and b'"text"' in message.get("body", b""):
                first_text.set()

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/api/ai/chat",
            "raw_path": b"/api/ai/chat",
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"testserver"),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"authorization", f"Bearer {token}".encode()),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        await asyncio.wait_for(asgi_app(scope, receive, send), timeout=20)

    before = len(STREAM_LOG)
    async_to_sync(go)()
    assert sent[0]["status"] == 200
    streamed = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert b'"text"' in streamed and b"[DONE]" not in streamed
    assert STREAM_LOG[before:] == ["aborted"]
    # Only the user's message was kept: the cut-off reply is not stored as if complete.
    assert list(ChatMessage.objects.values_list("role", flat=True)) == ["user"]
