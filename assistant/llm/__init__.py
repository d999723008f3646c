"""The assistant's model backends: one `anthropic.AsyncAnthropic` client either way.

`get_provider("ai")` (tokoblitar.provider_settings) builds `AnthropicModel` when
`ANTHROPIC_API_KEY` is set, else `SimulatorModel`. Both hand the chat loop a real SDK client,
so the streaming, tool-use and error code path is the same: the simulator only swaps the
HTTP transport for an in-process one that speaks the Messages API wire protocol
(`assistant.llm.wire`) with a rule-based Indonesian "model" (`assistant.llm.brain`).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Protocol

import httpx2
from anthropic import AsyncAnthropic
from django.conf import settings

from assistant.llm import wire

SIMULATOR_BASE_URL = "http://anthropic.simulator"
# Seconds between simulated SSE frames: slow enough for a person to watch the text arrive.
SIMULATOR_FRAME_DELAY = 0.012


# One SDK client per event loop and configuration: building one (an HTTP client, for the live
# API an SSL context) costs milliseconds of CPU on the event loop, which would stall every
# other open stream; a shared client also keeps its connections to the API alive.
_CLIENTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, AsyncAnthropic]] = (
    weakref.WeakKeyDictionary()
)


def _shared(key: tuple, build: Callable[[], AsyncAnthropic]) -> AsyncAnthropic:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return build()
    clients = _CLIENTS.setdefault(loop, {})
    if key not in clients:
        clients[key] = build()
    return clients[key]


class ChatModel(Protocol):
    """What the chat loop needs: the SDK client (shared per event loop; never closed by the
    caller) and a model name."""

    model: str
    is_simulator: bool

    def client(self) -> AsyncAnthropic: ...


class AnthropicModel:
    """The live Messages API (or any compatible server at `base_url`, such as the tests' fake)."""

    is_simulator = False

    def __init__(self, *, api_key: str, base_url: str = "", model: str = "claude-sonnet-4-5", timeout: float = 60.0):
        self.api_key = api_key
        self.base_url = base_url or None
        self.model = model
        self.timeout = timeout

    def client(self) -> AsyncAnthropic:
        return _shared(
            ("live", self.api_key, self.base_url, self.timeout),
            lambda: AsyncAnthropic(api_key=self.api_key, base_url=self.base_url, timeout=self.timeout),
        )


class _FrameStream(httpx2.AsyncByteStream):
    """SSE frames handed to the SDK one by one as they are "generated"; records whether the
    reader went away before the end (a closed browser tab stops the model call)."""

    def __init__(self, frames: list[bytes], delay: float, log: list[str]):
        self.frames = frames
        self.delay = delay
        self.log = log
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for frame in self.frames:
            if self.delay:
                await asyncio.sleep(self.delay)
            self.sent += 1
            yield frame

    async def aclose(self) -> None:
        self.log.append("completed" if self.sent == len(self.frames) else "aborted")


# What happened to each simulated stream, newest last (bounded): "completed" or "aborted".
STREAM_LOG: list[str] = []


class SimulatorTransport(httpx2.AsyncBaseTransport):
    """An httpx transport that answers `POST /v1/messages` in-process (`wire.handle`)."""

    def __init__(self, *, api_key: str, delay: float | None = None):
        self.api_key = api_key
        self.delay = SIMULATOR_FRAME_DELAY if delay is None else delay

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        body = await request.aread()
        reply = wire.handle(
            method=request.method,
            path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            api_key=self.api_key,
        )
        if not reply.streaming:
            return httpx2.Response(reply.status, headers=reply.headers, content=reply.body, request=request)
        del STREAM_LOG[:-100]
        return httpx2.Response(
            reply.status,
            headers=reply.headers,
            stream=_FrameStream(reply.frames, self.delay, STREAM_LOG),
            request=request,
        )


class SimulatorModel:
    """Offline: the SDK talks to `SimulatorTransport`. `api_key` is this installation's
    simulator secret (the transport checks `x-api-key` like the API does)."""

    is_simulator = True

    def __init__(
        self, *, api_key: str, base_url: str = "", model: str = "claude-sonnet-4-5", delay: float | None = None
    ):
        self.api_key = api_key
        self.model = model or "claude-sonnet-4-5"
        self.delay = delay

    def client(self) -> AsyncAnthropic:
        delay = self.delay if self.delay is not None else getattr(settings, "AI_SIMULATOR_FRAME_DELAY", None)

        def build() -> AsyncAnthropic:
            transport = SimulatorTransport(api_key=self.api_key, delay=delay)
            return AsyncAnthropic(
                api_key=self.api_key,
                base_url=SIMULATOR_BASE_URL,
                http_client=httpx2.AsyncClient(transport=transport, base_url=SIMULATOR_BASE_URL),
            )

        return _shared(("simulator", self.api_key, delay), build)
