"""The chat loop: one user turn = a few streamed Messages API rounds with tool calls between.

`chat_prepare` (sync, before any byte is streamed) authorises the caller, finds or opens the
conversation (another user's id is a 404), checks the store's `ai_assistant` switch and
stores the user's message. `chat_events` (async) then streams: text deltas as the SDK hands
them over, one event per tool run, and stops after `AI_MAX_ROUNDS` model calls or
`AI_MAX_OUTPUT_TOKENS_PER_TURN` output tokens. Database work runs in `sync_to_async`, so an
open stream holds no worker thread; a cancelled stream (the browser went away) leaves the
SDK's `async with` and closes the model's HTTP response.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import anthropic
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.db.models import CharField, F, Max, Value
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from assistant import tools as toolbox
from assistant.models import ChatMessage, Conversation, UsageDay
from catalog.models import Product
from stores.flags import require_feature
from stores.models import Store
from tokoblitar.errors import NotFound, PermissionDenied
from tokoblitar.providers import get_provider

log = logging.getLogger(__name__)

# History reloaded for the model: the last turns only (cost), whole turns (tool pairs intact).
HISTORY_TURNS = 8
# Catalogue rows the model sees in its context (ids it may pass to tools).
CONTEXT_ROWS = 40
TOOL_RESULT_MAX_CHARS = 4000


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_rounds() -> int:
    return _setting("AI_MAX_ROUNDS", 4)


def max_output_tokens_per_turn() -> int:
    return _setting("AI_MAX_OUTPUT_TOKENS_PER_TURN", 2048)


def daily_token_budget() -> int:
    """Tokens (input + output + cache writes) one store, or one admin, may use per day; 0 = no limit."""
    return _setting("AI_DAILY_TOKEN_BUDGET", 300_000)


SYSTEM_PROMPT = """You are TokoBLITAR AI, embedded in the seller dashboard.
Help sellers manage their store, products, orders, shipping, and promotions.
Current {who}: {name}
Store: {store} (slug: {slug})
Always respond in Bahasa Indonesia unless the user writes in English.
When executing actions, confirm what you did clearly with an emoji checkmark (✅).
Money is in whole rupiah. Use only the ids listed in the context below; never invent one.
If a tool answers with an error, explain it briefly and ask for what is missing."""


@dataclass
class Prepared:
    """What the stream needs, loaded before the response starts."""

    actor: User
    conversation_id: str
    turn: int
    is_new: bool
    system: list[dict]
    tools: list[dict]
    history: list[dict]
    usage_subject: str
    budget_left: int | None
    language: str
    backend: Any = None  # the "ai" provider: assistant.llm.AnthropicModel or SimulatorModel


def _subject(actor: User, store: Store | None) -> str:
    return f"store:{store.pk}" if store is not None else f"user:{actor.pk}"


def _today() -> date:
    return timezone.localdate()


def usage_today(*, subject: str) -> int:
    row = UsageDay.objects.filter(subject=subject, day=_today()).first()
    return row.total if row else 0


def usage_record(*, subject: str, usage: Any) -> None:
    """Add one response's `usage` (input, output, cache read/creation tokens) to today's row."""
    row, _created = UsageDay.objects.get_or_create(subject=subject, day=_today())
    UsageDay.objects.filter(pk=row.pk).update(
        input_tokens=F("input_tokens") + int(getattr(usage, "input_tokens", 0) or 0),
        output_tokens=F("output_tokens") + int(getattr(usage, "output_tokens", 0) or 0),
        cache_read_tokens=F("cache_read_tokens") + int(getattr(usage, "cache_read_input_tokens", 0) or 0),
        cache_creation_tokens=F("cache_creation_tokens") + int(getattr(usage, "cache_creation_input_tokens", 0) or 0),
        requests=F("requests") + 1,
    )


def _other_stores_named(store: Store, message: str) -> list[Store]:
    """Other stores whose full name the message contains (case-insensitive), at most a few:
    the model is told they are not the seller's, so it never answers with her own figures."""
    if not message:
        return []
    return list(
        Store.objects.exclude(pk=store.pk)
        .annotate(said=Value(message[:2000], output_field=CharField()))
        .filter(said__icontains=F("name"))
        .exclude(name="")
        .order_by("-created_at")[:5]
    )


def _context_block(actor: User, store: Store | None, message: str = "") -> str:
    now = timezone.localtime()
    with translation.override("id"):
        weekday = formats.date_format(now, "l")
    lines = [f"Tanggal hari ini: {now.date().isoformat()} ({weekday}), jam {now:%H:%M}, zona waktu Asia/Jakarta."]
    if store is not None:
        products = (
            Product.objects.alive()
            .filter(store=store)
            .prefetch_related("images")
            .order_by("-created_at")[:CONTEXT_ROWS]
        )
        lines.append("Produk toko (id | nama | harga | stok | status | foto):")
        for p in products:
            images = list(p.images.all())
            photo = images[0].url if images else ""
            lines.append(f"- {p.pk} | {p.name} | {p.price} | {p.stock} | {p.status} | {photo}")
        others = [s for s in _other_stores_named(store, message) if s.name.lower() != store.name.lower()]
        if others:
            lines.append("")
            lines.append("Toko lain yang disebut pengguna (bukan toko penjual ini; datanya tidak boleh dilihat):")
            lines.extend(f"- {s.pk} | {s.name}" for s in others)
    elif actor.role == User.Role.ADMIN:
        lines.append("Toko (id | nama | slug | unggulan):")
        for s in Store.objects.order_by("-created_at")[:CONTEXT_ROWS]:
            lines.append(f"- {s.pk} | {s.name} | {s.slug} | {'ya' if s.featured else 'tidak'}")
        lines.append("")
        lines.append("Produk (id | nama | toko | unggulan):")
        rows = Product.objects.alive().select_related("store").order_by("-created_at")[:CONTEXT_ROWS]
        for p in rows:
            lines.append(f"- {p.pk} | {p.name} | {p.store.name} | {'ya' if p.featured else 'tidak'}")
    return "\n".join(lines)


def system_prompt(*, actor: User, store: Store | None, message: str = "") -> list[dict]:
    """The seed's system prompt (cached: it only changes with the store's name) and a second,
    uncached block with today's date in Asia/Jakarta and the ids the tools may use."""
    static = SYSTEM_PROMPT.format(
        who="admin" if actor.role == User.Role.ADMIN else "seller",
        name=actor.full_name,
        store=store.name if store else "not set up yet",
        slug=store.slug if store else "none",
    )
    return [
        {"type": "text", "text": static, "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": _context_block(actor, store, message)},
    ]


def _sanitize(messages: list[dict]) -> list[dict]:
    """A valid Messages API conversation from stored rows, whatever happened to the stream
    that wrote them (a disconnect can leave a user message unanswered or a tool_use without
    its result): adjacent same-role messages are merged, unanswered tool_use blocks dropped,
    and the conversation starts with the user."""
    out: list[dict] = []
    for message in messages:
        content = message["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content)
        if out and out[-1]["role"] == message["role"]:
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": message["role"], "content": blocks})
    for i, message in enumerate(out):
        if message["role"] != "assistant":
            continue
        following = out[i + 1]["content"] if i + 1 < len(out) else []
        answered = {b.get("tool_use_id") for b in following if b.get("type") == "tool_result"}
        message["content"] = [b for b in message["content"] if b.get("type") != "tool_use" or b.get("id") in answered]
        if i + 1 < len(out):
            used = {b.get("id") for b in message["content"] if b.get("type") == "tool_use"}
            out[i + 1]["content"] = [
                b for b in following if b.get("type") != "tool_result" or b.get("tool_use_id") in used
            ]
    out = [m for m in out if m["content"]]
    # Merging may be needed again after empty messages were dropped.
    merged: list[dict] = []
    for message in out:
        if merged and merged[-1]["role"] == message["role"]:
            merged[-1]["content"].extend(message["content"])
        else:
            merged.append(message)
    while merged and merged[0]["role"] != "user":
        merged.pop(0)
    return merged


def history_for_model(*, conversation: Conversation, turn: int) -> list[dict]:
    """The last HISTORY_TURNS turns before `turn`, as Messages API messages."""
    rows = ChatMessage.objects.filter(conversation=conversation, turn__gt=turn - 1 - HISTORY_TURNS, turn__lt=turn)
    return [{"role": row.role, "content": row.content} for row in rows.order_by("id")]


def conversation_get_for_owner(*, actor: User, conversation_id: UUID | str) -> Conversation:
    """The actor's conversation; NotFound for any other (no leak of another user's ids)."""
    conversation = Conversation.objects.filter(pk=conversation_id, owner=actor).first()
    if conversation is None:
        raise NotFound(_("Conversation not found"), code="conversation_not_found")
    return conversation


def chat_prepare(*, actor: User, message: str, session_id: UUID | None, language: str) -> Prepared:
    """Everything before the stream: role, store switch, conversation, the user's message saved.

    Raises PermissionDenied (not a seller or admin), NotFound (no store; another user's
    session_id), FeatureDisabled (the store's `ai_assistant` switch is off)."""
    if actor.role not in (User.Role.SELLER, User.Role.ADMIN):
        raise PermissionDenied(_("Only sellers and admins can use the assistant"), code="permission_denied")
    store = None
    if actor.role == User.Role.SELLER:
        store = Store.objects.filter(owner=actor).first()
        if store is None:
            raise NotFound(_("You do not have a store yet"), code="no_store")
        require_feature(store=store, feature="ai_assistant")
    backend = get_provider("ai")  # FeatureDisabled when the kind is off on this server
    subject = _subject(actor, store)
    budget = daily_token_budget()
    budget_left = None if budget <= 0 else budget - usage_today(subject=subject)
    with transaction.atomic():
        if session_id is not None:
            conversation = conversation_get_for_owner(actor=actor, conversation_id=session_id)
            conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
            is_new = False
        else:
            conversation = Conversation.objects.create(owner=actor, title=message.strip()[:120])
            is_new = True
        turn = (conversation.messages.aggregate(t=Max("turn"))["t"] or 0) + 1
        history = history_for_model(conversation=conversation, turn=turn)
        if budget_left is None or budget_left > 0:
            ChatMessage.objects.create(conversation=conversation, turn=turn, role="user", content=message)
            conversation.updated_at = timezone.now()
            conversation.save(update_fields=["updated_at"])
    return Prepared(
        actor=actor,
        conversation_id=str(conversation.pk),
        turn=turn,
        is_new=is_new,
        system=system_prompt(actor=actor, store=store, message=message),
        tools=toolbox.tool_definitions(role=actor.role),
        history=_sanitize([*history, {"role": "user", "content": message}]),
        usage_subject=subject,
        budget_left=budget_left,
        language=language,
        backend=backend,
    )


def _save_message(conversation_id: str, turn: int, role: str, content: list[dict]) -> None:
    ChatMessage.objects.create(conversation_id=conversation_id, turn=turn, role=role, content=content)


def _run_tool(prepared: Prepared, name: str, tool_input: Any) -> toolbox.ToolOutcome:
    with translation.override(prepared.language):
        return toolbox.run_tool(
            actor=prepared.actor, name=name, tool_input=tool_input, conversation_id=prepared.conversation_id
        )


def _message(key: str, language: str) -> str:
    texts = {
        "budget": _("The assistant's daily limit for this store is used up; it is available again tomorrow."),
        "rounds": _("I stopped here: this request needed too many steps. Please ask again in smaller parts."),
        "tokens": _("My answer was cut short (length limit). Please ask again more specifically."),
        "provider": _("The assistant is unavailable right now. Please try again in a moment."),
    }
    with translation.override(language):
        return str(texts[key])


async def chat_events(prepared: Prepared) -> AsyncIterator[dict]:
    """The turn as browser events: `{"session_id"}` first, then `{"text"}` deltas in the order
    the model writes them, `{"tool", "status", "result"}` per tool run, `{"error", "code"}` when
    the turn cannot go on (budget, provider failure). The caller appends `[DONE]`."""
    yield {"session_id": prepared.conversation_id, "new": prepared.is_new}
    if prepared.budget_left is not None and prepared.budget_left <= 0:
        yield {"error": _message("budget", prepared.language), "code": "ai_budget_exceeded"}
        return
    backend = prepared.backend
    messages = list(prepared.history)
    output_left = max_output_tokens_per_turn()
    rounds = 0
    client = backend.client()
    while True:
        if rounds >= max_rounds():
            text = _message("rounds", prepared.language)
            await sync_to_async(_save_message)(
                prepared.conversation_id, prepared.turn, "assistant", [{"type": "text", "text": text}]
            )
            yield {"text": text, "notice": "max_rounds"}
            return
        if output_left <= 0:
            yield {"text": _message("tokens", prepared.language), "notice": "max_tokens"}
            return
        rounds += 1
        try:
            async with client.messages.stream(
                model=backend.model,
                max_tokens=min(1024, output_left),
                system=prepared.system,
                tools=prepared.tools,
                messages=messages,
            ) as stream:
                async for event in stream:
                    if event.type == "text" and event.text:
                        yield {"text": event.text}
                final = await stream.get_final_message()
        except anthropic.APIError as exc:
            log.warning("assistant model call failed: %s", exc)
            yield {"error": _message("provider", prepared.language), "code": "ai_provider_error"}
            return
        await sync_to_async(usage_record)(subject=prepared.usage_subject, usage=final.usage)
        output_left -= final.usage.output_tokens or 0
        complete = final.stop_reason == "tool_use"
        content: list[dict] = []
        for block in final.content:
            if block.type == "text" and block.text:
                content.append({"type": "text", "text": block.text})
            elif block.type == "tool_use" and complete:
                # A tool_use cut by max_tokens has partial input: never run it, never keep it.
                content.append({"type": "tool_use", "id": block.id, "name": block.name, "input": block.input})
        if content:
            await sync_to_async(_save_message)(prepared.conversation_id, prepared.turn, "assistant", content)
            messages.append({"role": "assistant", "content": content})
        calls = [b for b in content if b["type"] == "tool_use"]
        if not calls:
            if final.stop_reason == "max_tokens":
                yield {"text": "\n" + _message("tokens", prepared.language), "notice": "max_tokens"}
            return
        results = []
        for call in calls:
            outcome = await sync_to_async(_run_tool)(prepared, call["name"], call["input"])
            yield {"tool": outcome.name, "status": "ok" if outcome.ok else "error", "result": outcome.result}
            results.append(
                {
                    "type": "tool_result",
                    "tool_use_id": call["id"],
                    "content": _dumps(outcome.result)[:TOOL_RESULT_MAX_CHARS],
                    **({} if outcome.ok else {"is_error": True}),
                }
            )
        await sync_to_async(_save_message)(prepared.conversation_id, prepared.turn, "user", results)
        messages.append({"role": "user", "content": results})


def _dumps(value: Any) -> str:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


# --- Reads for the panel -----------------------------------------------------------------------


def conversation_list_for_owner(*, actor: User, limit: int = 20) -> list[Conversation]:
    return list(Conversation.objects.filter(owner=actor).order_by("-updated_at")[:limit])


def conversation_transcript(*, conversation: Conversation, limit_turns: int = 30) -> list[dict]:
    """What the panel shows of a conversation: `{"role": "user"|"assistant", "text"}` and
    `{"tool", "status", "result"}` items in order (the last `limit_turns` turns)."""
    import json

    last = conversation.messages.aggregate(t=Max("turn"))["t"] or 0
    rows = conversation.messages.filter(turn__gt=last - limit_turns).order_by("id")
    names: dict[str, str] = {}
    items: list[dict] = []
    for row in rows:
        content = row.content
        if isinstance(content, str):
            items.append({"role": row.role, "text": content})
            continue
        for block in content:
            kind = block.get("type")
            if kind == "text":
                items.append({"role": row.role, "text": block.get("text", "")})
            elif kind == "tool_use":
                names[block.get("id", "")] = block.get("name", "")
            elif kind == "tool_result":
                try:
                    result = json.loads(block.get("content") or "null")
                except ValueError:
                    result = block.get("content")
                items.append(
                    {
                        "tool": names.get(block.get("tool_use_id", ""), ""),
                        "status": "error" if block.get("is_error") else "ok",
                        "result": result,
                    }
                )
    return items
