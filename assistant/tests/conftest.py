from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

from accounts.services import user_issue_token
from assistant.llm.fake_server import FakeAnthropicServer


@dataclass
class ChatReply:
    status: int
    content_type: str
    chunks: list[bytes]
    content_encoding: str = ""

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    @property
    def events(self) -> list[dict | str]:
        out: list[dict | str] = []
        for frame in self.body.decode().split("\n\n"):
            if not frame.startswith("data: "):
                continue
            data = frame[len("data: ") :]
            out.append(data if data == "[DONE]" else json.loads(data))
        return out

    @property
    def text(self) -> str:
        return "".join(e["text"] for e in self.events if isinstance(e, dict) and "text" in e)

    @property
    def tools(self) -> list[dict]:
        return [e for e in self.events if isinstance(e, dict) and "tool" in e]

    def json(self) -> dict:
        return json.loads(self.body)


def chat(user, message: str, session_id: str | None = None, headers: dict | None = None, **extra) -> ChatReply:
    """POST /api/ai/chat through Django's async client (the view runs as it does under ASGI);
    the chunks are kept as the response yielded them."""
    token = user_issue_token(user=user)
    body: dict = {"message": message}
    if session_id:
        body["session_id"] = session_id

    async def go() -> ChatReply:
        client = AsyncClient()
        response = await client.post(
            "/api/ai/chat",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", **(headers or {})},
            **extra,
        )
        if response.streaming:
            chunks = [chunk async for chunk in response.streaming_content]
        else:
            chunks = [response.content]
        return ChatReply(response.status_code, response["Content-Type"], chunks, response.get("Content-Encoding", ""))

    return async_to_sync(go)()


@pytest.fixture(autouse=True)
def _fast_simulator(settings):
    settings.AI_SIMULATOR_FRAME_DELAY = 0
    settings.AI_PROVIDER = "simulator"
    settings.ANTHROPIC_API_KEY = ""


@pytest.fixture
def fake_anthropic(settings) -> Iterator[FakeAnthropicServer]:
    """The live backend (AnthropicModel, the real SDK over HTTP) against a fake API on 127.0.0.1."""
    with FakeAnthropicServer(api_key="sk-ant-test-key") as server:
        settings.AI_PROVIDER = "anthropic"
        settings.ANTHROPIC_API_KEY = "sk-ant-test-key"
        settings.ANTHROPIC_BASE_URL = server.url
        yield server
