"""A local implementation of Anthropic's `POST /v1/messages` streaming wire protocol.

Shared by the in-process simulator transport (offline mode) and the fake HTTP server the
live-backend tests use (`assistant.llm.fake_server`). What it enforces (providers-2.md §9):

- the key in `x-api-key` or `Authorization: Bearer` (401 authentication_error) and a known
  `anthropic-version` (400);
- a well-formed request: model, max_tokens ≥ 1, alternating messages starting with the user,
  `stream: true`; every `tool_use` answered by a `tool_result` with the same id right after,
  and no other ids (400 invalid_request_error otherwise);
- the event order `message_start` → per block `content_block_start`, `content_block_delta`*,
  `content_block_stop` → `message_delta` → `message_stop`, with `index` bookkeeping and `ping`
  events in between;
- text as `text_delta` chunks of a few words; tool input as `input_json_delta` with uneven
  `partial_json` chunks, the first one empty;
- `max_tokens` truncation, also in the middle of a tool's JSON (stop_reason `max_tokens`);
- cumulative usage in `message_delta`, prompt-cache accounting for `cache_control` prefixes;
- faults on request (fake server): a mid-stream `event: error` after 200, 429/529 with
  `retry-after` and `x-should-retry`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import secrets
import string
from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from assistant.llm import brain

API_VERSION = "2023-06-01"
# The versions the API accepts. The pinned SDK (anthropic 2.12) sends "2026-10-21" and its key as
# `Authorization: Bearer`; older SDKs (providers-2.md §9) send "2023-06-01" and `x-api-key`.
KNOWN_VERSIONS = frozenset({API_VERSION, "2026-10-21"})
_ALPHABET = string.ascii_letters + string.digits

# Prompt-cache prefixes seen by this process (bounded), like the API's 5-minute cache.
_CACHE: OrderedDict[str, None] = OrderedDict()
_CACHE_LOCK = Lock()


def _rid(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(24))


def tokens(text: str) -> int:
    """A stand-in tokenizer: about four characters per token."""
    return max(1, math.ceil(len(text) / 4))


@dataclass
class WireReply:
    """One HTTP answer: status, headers and either a JSON body or SSE frames."""

    status: int
    headers: dict[str, str]
    body: bytes = b""
    frames: list[bytes] = field(default_factory=list)

    @property
    def streaming(self) -> bool:
        return bool(self.frames)


def error_reply(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> WireReply:
    request_id = _rid("req_")
    body = {"type": "error", "error": {"type": kind, "message": message}, "request_id": request_id}
    return WireReply(
        status=status,
        headers={"content-type": "application/json", "request-id": request_id, **(headers or {})},
        body=json.dumps(body).encode(),
    )


def _frame(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _text_chunks(text: str) -> list[str]:
    """A few words per delta, as the API sends them (whitespace kept inside the chunks)."""
    pieces = re.findall(r"\S+\s*|\s+", text)
    chunks: list[str] = []
    i = 0
    while i < len(pieces):
        n = 1 + len(chunks) % 2  # one word, then two, then one...
        chunks.append("".join(pieces[i : i + n]))
        i += n
    return chunks


def _json_chunks(text: str) -> list[str]:
    """Uneven partial_json chunks of the input JSON, starting with an empty one."""
    chunks = [""]
    sizes = (1, 7, 3, 11, 5, 2, 13)
    pos = i = 0
    while pos < len(text):
        n = sizes[i % len(sizes)]
        chunks.append(text[pos : pos + n])
        pos += n
        i += 1
    return chunks


def _system_text(system: Any) -> str:
    if isinstance(system, str):
        return system
    if isinstance(system, list):
        return "\n".join(b.get("text", "") for b in system if isinstance(b, dict))
    return ""


def _cache_usage(body: dict) -> tuple[int, int]:
    """(cache_creation_input_tokens, cache_read_input_tokens) for the request's cached prefix:
    tools then system, up to the last block marked with cache_control."""
    prefix: list[Any] = []
    marked: list[Any] | None = None
    for tool in body.get("tools") or []:
        prefix.append(tool)
        if isinstance(tool, dict) and tool.get("cache_control"):
            marked = list(prefix)
    system = body.get("system")
    for block in system if isinstance(system, list) else []:
        prefix.append(block)
        if isinstance(block, dict) and block.get("cache_control"):
            marked = list(prefix)
    if marked is None:
        return 0, 0
    raw = json.dumps(marked, sort_keys=True)
    key = hashlib.sha256(raw.encode()).hexdigest()
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return 0, tokens(raw)
        _CACHE[key] = None
        while len(_CACHE) > 256:
            _CACHE.popitem(last=False)
    return tokens(raw), 0


def _check_conversation(messages: Any) -> str | None:
    """The invalid_request_error message for a malformed conversation, or None."""
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    expected = "user"
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            return f"messages.{i}: role must be 'user' or 'assistant'"
        if message["role"] != expected:
            return f"messages.{i}: roles must alternate between 'user' and 'assistant', starting with 'user'"
        expected = "assistant" if expected == "user" else "user"
        content = message.get("content")
        if not isinstance(content, str | list) or (isinstance(content, str) and not content):
            return f"messages.{i}: content must be a non-empty string or a list of blocks"
    for i, message in enumerate(messages):
        content = message["content"] if isinstance(message["content"], list) else []
        uses = [b.get("id") for b in content if isinstance(b, dict) and b.get("type") == "tool_use"]
        nxt = messages[i + 1]["content"] if i + 1 < len(messages) else None
        results = (
            [b.get("tool_use_id") for b in nxt if isinstance(b, dict) and b.get("type") == "tool_result"]
            if isinstance(nxt, list)
            else []
        )
        if message["role"] == "assistant" and uses and i + 1 < len(messages):
            missing = [u for u in uses if u not in results]
            if missing:
                return (
                    f"messages.{i + 1}: `tool_use` ids were found without `tool_result` blocks immediately "
                    f"after: {', '.join(map(str, missing))}. Each `tool_use` block must have a corresponding "
                    "`tool_result` block in the next message."
                )
        if message["role"] == "user":
            mine = [b.get("tool_use_id") for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]
            before = messages[i - 1]["content"] if i > 0 and isinstance(messages[i - 1]["content"], list) else []
            known = {b.get("id") for b in before if isinstance(b, dict) and b.get("type") == "tool_use"}
            stray = [r for r in mine if r not in known]
            if stray:
                return (
                    f"messages.{i}.content: unexpected `tool_use_id` found in `tool_result` blocks: "
                    f"{', '.join(map(str, stray))}. Each `tool_result` block must have a corresponding `tool_use` "
                    "block in the previous message."
                )
    return None


def handle(
    *,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
    api_key: str,
    plan: brain.Plan | None = None,
    fault: str = "",
) -> WireReply:
    """Answer one HTTP request as the Messages API would. `headers` keys in lower case.

    `plan` replaces the simulated model's own answer (a scripted turn, fake server only);
    `fault` injects a failure: "overloaded_midstream", "rate_limited" (429, retry-after 1,
    x-should-retry false) or "overloaded" (529, retry-after 0)."""
    if path.rstrip("/") != "/v1/messages":
        return error_reply(404, "not_found_error", f"Not found: {path}")
    if method != "POST":
        return error_reply(405, "invalid_request_error", f"Method {method} not allowed")
    presented = headers.get("x-api-key") or headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not api_key or not hmac.compare_digest(presented.encode(), api_key.encode()):
        return error_reply(401, "authentication_error", "invalid x-api-key")
    version = headers.get("anthropic-version")
    if not version:
        return error_reply(400, "invalid_request_error", "anthropic-version: header is required")
    if version not in KNOWN_VERSIONS:
        return error_reply(400, "invalid_request_error", f"anthropic-version: unknown version {version!r}")
    if fault == "rate_limited":
        return error_reply(
            429,
            "rate_limit_error",
            "Number of request tokens has exceeded your per-minute rate limit",
            {"retry-after": "1", "x-should-retry": "false"},
        )
    if fault == "overloaded":
        return error_reply(529, "overloaded_error", "Overloaded", {"retry-after": "0"})
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return error_reply(400, "invalid_request_error", "Request body is not valid JSON")
    if not isinstance(request, dict):
        return error_reply(400, "invalid_request_error", "Request body must be a JSON object")
    model = request.get("model")
    max_tokens = request.get("max_tokens")
    if not isinstance(model, str) or not model:
        return error_reply(400, "invalid_request_error", "model: Field required")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        return error_reply(400, "invalid_request_error", "max_tokens: must be an integer of at least 1")
    if request.get("stream") is not True:
        return error_reply(400, "invalid_request_error", "This simulator answers streaming requests only")
    problem = _check_conversation(request.get("messages"))
    if problem:
        return error_reply(400, "invalid_request_error", problem)
    tools = request.get("tools") or []
    names = [t.get("name") for t in tools if isinstance(t, dict)]
    if len(names) != len(set(names)):
        return error_reply(400, "invalid_request_error", "tools: Tool names must be unique.")
    system = _system_text(request.get("system"))
    if plan is None:
        plan = brain.respond(system=system, tools=tools, messages=request["messages"])
    return _stream(request, plan, max_tokens=max_tokens, fault=fault)


def _stream(request: dict, plan: brain.Plan, *, max_tokens: int, fault: str) -> WireReply:
    request_id = _rid("req_")
    input_tokens = tokens(json.dumps(request.get("messages"))) + tokens(_system_text(request.get("system")))
    created, read = _cache_usage(request)
    usage = {
        "input_tokens": input_tokens,
        "cache_creation_input_tokens": created,
        "cache_read_input_tokens": read,
    }
    frames = [
        _frame(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": _rid("msg_"),
                    "type": "message",
                    "role": "assistant",
                    "model": request["model"],
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {**usage, "output_tokens": 1},
                },
            },
        ),
        _frame("ping", {"type": "ping"}),
    ]
    out = 0
    stop_reason = plan.stop_reason
    truncated = False
    for index, (kind, value) in enumerate(plan.blocks):
        if kind == "text":
            start = {"type": "text", "text": ""}
            chunks = [("text_delta", "text", c) for c in _text_chunks(value)]
        else:
            name, tool_input = value
            start = {"type": "tool_use", "id": _rid("toolu_"), "name": name, "input": {}}
            raw = json.dumps(tool_input, ensure_ascii=False)
            chunks = [("input_json_delta", "partial_json", c) for c in _json_chunks(raw)]
        frames.append(
            _frame("content_block_start", {"type": "content_block_start", "index": index, "content_block": start})
        )
        for n, (delta_type, key, chunk) in enumerate(chunks):
            cost = tokens(chunk) if chunk else 0
            if out + cost > max_tokens:
                truncated = True
                break
            out += cost
            frames.append(
                _frame(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": {"type": delta_type, key: chunk}},
                )
            )
            if n % 5 == 4:
                frames.append(_frame("ping", {"type": "ping"}))
            if fault == "overloaded_midstream" and len(frames) >= 5:
                frames.append(
                    _frame("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
                )
                return WireReply(status=200, headers=_sse_headers(request_id), frames=frames)
        frames.append(_frame("content_block_stop", {"type": "content_block_stop", "index": index}))
        if truncated:
            stop_reason = "max_tokens"
            break
    frames.append(
        _frame(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": {**usage, "output_tokens": max(out, 1)},
            },
        )
    )
    frames.append(_frame("message_stop", {"type": "message_stop"}))
    return WireReply(status=200, headers=_sse_headers(request_id), frames=frames)


def _sse_headers(request_id: str) -> dict[str, str]:
    return {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "request-id": request_id}
