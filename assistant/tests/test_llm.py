"""The simulator's wire protocol as the real SDK parses it, the live backend against a fake
Anthropic server on 127.0.0.1, and the simulator's Indonesian, case by case."""

from __future__ import annotations

import asyncio
import json

import anthropic
import pytest

from assistant.llm import AnthropicModel, SimulatorModel, wire
from assistant.llm.brain import Plan, parse_money, understand
from assistant.llm.fake_server import FakeAnthropicServer

KEY = "sk-ant-simulator-secret"
TOOLS = [
    {"name": n, "description": n, "input_schema": {"type": "object", "properties": {}}}
    for n in (
        "create_product",
        "update_store_info",
        "set_store_location",
        "sync_to_marketplace",
        "create_promo",
        "draft_instagram_post",
        "get_order_summary",
        "enhance_product_photo",
        "feature_store",
        "feature_product",
    )
]
SYSTEM = (
    "You are TokoBLITAR AI.\nTanggal hari ini: 2026-12-01 (Selasa), jam 09:00, zona waktu Asia/Jakarta.\n"
    "Produk toko (id | nama | harga | stok | status | foto):\n"
    "- 11111111-1111-1111-1111-111111111111 | Keripik Tempe Pedas | 15000 | 30 | active | /media/products/a.jpg\n"
    "- 22222222-2222-2222-2222-222222222222 | Sambal Pecel Bu Sri | 20000 | 5 | active | \n"
    "Toko (id | nama | slug | unggulan):\n"
    "- 33333333-3333-3333-3333-333333333333 | Keripik Bu Sri | keripik-bu-sri | tidak\n"
)
ALL = {t["name"] for t in TOOLS}


def run(coro):
    return asyncio.run(coro)


async def _stream(client, **kwargs):
    events = []
    async with client.messages.stream(model="claude-test", max_tokens=kwargs.pop("max_tokens", 512), **kwargs) as s:
        async for event in s:
            events.append(event)
        final = await s.get_final_message()
    return events, final


def _frames(body: dict, **kw) -> list[tuple[str, dict]]:
    reply = wire.handle(
        method="POST",
        path="/v1/messages",
        headers={"x-api-key": KEY, "anthropic-version": "2023-06-01"},
        body=json.dumps({"model": "m", "max_tokens": 512, "stream": True, **body}).encode(),
        api_key=KEY,
        **kw,
    )
    out = []
    for frame in reply.frames:
        head, data = frame.decode().strip().split("\n", 1)
        out.append((head.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return out


# --- The wire protocol ------------------------------------------------------------------------


def test_event_order_indices_pings_and_partial_json():
    frames = _frames(
        {"tools": TOOLS, "system": SYSTEM, "messages": [{"role": "user", "content": "tambahkan keripik 15rb stok 3"}]}
    )
    names = [n for n, _ in frames if n != "ping"]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    assert "ping" in [n for n, _ in frames]
    # Blocks: start, deltas, stop, with indices 0 then 1.
    starts = [d for n, d in frames if n == "content_block_start"]
    assert [s["index"] for s in starts] == [0, 1]
    assert starts[1]["content_block"]["type"] == "tool_use" and starts[1]["content_block"]["id"].startswith("toolu_")
    json_chunks = [d["delta"]["partial_json"] for n, d in frames if n == "content_block_delta" and d["index"] == 1]
    assert json_chunks[0] == ""
    assert len({len(c) for c in json_chunks[1:]}) > 2  # uneven
    assert json.loads("".join(json_chunks)) == {"name": "Keripik", "price": 15000, "stock": 3}
    delta = next(d for n, d in frames if n == "message_delta")
    assert delta["delta"]["stop_reason"] == "tool_use"
    start_usage = frames[0][1]["message"]["usage"]
    assert delta["usage"]["output_tokens"] > start_usage["output_tokens"]  # cumulative
    assert delta["usage"]["input_tokens"] == start_usage["input_tokens"]


def test_max_tokens_cuts_the_tool_json():
    frames = _frames(
        {"tools": TOOLS, "messages": [{"role": "user", "content": "x"}], "max_tokens": 4},
        plan=Plan().call("create_product", {"name": "Keripik Tempe Pedas Sekali", "price": 15000, "stock": 30}),
    )
    partial = "".join(d["delta"]["partial_json"] for n, d in frames if n == "content_block_delta")
    with pytest.raises(ValueError):
        json.loads(partial)
    assert next(d for n, d in frames if n == "message_delta")["delta"]["stop_reason"] == "max_tokens"


@pytest.mark.parametrize(
    ("headers", "status", "kind"),
    [
        ({"x-api-key": "wrong", "anthropic-version": "2023-06-01"}, 401, "authentication_error"),
        ({"x-api-key": KEY}, 400, "invalid_request_error"),
        ({"x-api-key": KEY, "anthropic-version": "1999-01-01"}, 400, "invalid_request_error"),
        ({"authorization": f"Bearer {KEY}", "anthropic-version": "2026-10-21"}, 200, None),
    ],
)
def test_headers_checked(headers, status, kind):
    body = json.dumps({"model": "m", "max_tokens": 5, "stream": True, "messages": [{"role": "user", "content": "hi"}]})
    reply = wire.handle(method="POST", path="/v1/messages", headers=headers, body=body.encode(), api_key=KEY)
    assert reply.status == status
    if kind:
        error = json.loads(reply.body)
        assert error["type"] == "error" and error["error"]["type"] == kind and error["request_id"].startswith("req_")


def test_simulator_through_the_sdk_text_tool_and_matching_result():
    model = SimulatorModel(api_key=KEY, delay=0)

    async def go():
        async with model.client() as client:
            events, final = await _stream(
                client,
                system=SYSTEM,
                tools=TOOLS,
                messages=[{"role": "user", "content": "tambahkan keripik tempe pedas 15 ribu stok 30"}],
            )
            texts = [e.text for e in events if e.type == "text"]
            assert len(texts) > 3
            assert final.stop_reason == "tool_use"
            call = next(b for b in final.content if b.type == "tool_use")
            assert call.input == {"name": "Keripik Tempe Pedas", "price": 15000, "stock": 30}
            history = [
                {"role": "user", "content": "tambahkan keripik tempe pedas 15 ribu stok 30"},
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": call.id, "name": call.name, "input": call.input}],
                },
            ]
            # A tool_result with another id: 400 invalid_request_error, as the API answers.
            with pytest.raises(anthropic.BadRequestError) as bad:
                await _stream(
                    client,
                    tools=TOOLS,
                    messages=[
                        *history,
                        {
                            "role": "user",
                            "content": [{"type": "tool_result", "tool_use_id": "toolu_x", "content": "{}"}],
                        },
                    ],
                )
            assert "tool_use" in str(bad.value)
            result = {
                "type": "tool_result",
                "tool_use_id": call.id,
                "content": json.dumps({"name": "Keripik Tempe Pedas", "price": 15000, "stock": 30}),
            }
            _, final = await _stream(client, tools=TOOLS, messages=[*history, {"role": "user", "content": [result]}])
            assert final.stop_reason == "end_turn"
            assert final.content[0].text.startswith("✅") and "Rp\u00a015.000" in final.content[0].text

    run(go())


def test_prompt_cache_is_read_the_second_time():
    model = SimulatorModel(api_key=KEY, delay=0)
    tools = [*TOOLS[:-1], {**TOOLS[-1], "cache_control": {"type": "ephemeral"}}]
    system = [{"type": "text", "text": "cache test " + str(id(tools)), "cache_control": {"type": "ephemeral"}}]

    async def go():
        async with model.client() as client:
            _, first = await _stream(client, system=system, tools=tools, messages=[{"role": "user", "content": "halo"}])
            _, second = await _stream(
                client, system=system, tools=tools, messages=[{"role": "user", "content": "halo"}]
            )
        return first.usage, second.usage

    first, second = run(go())
    assert first.cache_creation_input_tokens > 0 and first.cache_read_input_tokens == 0
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens


# --- The live backend against the fake server -------------------------------------------------------


@pytest.fixture
def server():
    with FakeAnthropicServer(api_key="sk-live-test") as s:
        yield s


def test_live_backend_streams_from_the_fake_server(server):
    model = AnthropicModel(api_key="sk-live-test", base_url=server.url, model="claude-test")

    async def go():
        async with model.client() as client:
            return await _stream(client, system=SYSTEM, tools=TOOLS, messages=[{"role": "user", "content": "halo"}])

    events, final = run(go())
    assert final.stop_reason == "end_turn" and "TokoBLITAR" in final.content[0].text
    assert sum(1 for e in events if e.type == "text") > 5
    assert server.requests[0]["headers"].get("authorization") == "Bearer sk-live-test"


def test_mid_stream_error_after_200_raises(server):
    server.faults.append("overloaded_midstream")
    model = AnthropicModel(api_key="sk-live-test", base_url=server.url)

    async def go():
        async with model.client() as client:
            await _stream(client, messages=[{"role": "user", "content": "halo"}])

    with pytest.raises(anthropic.APIStatusError) as exc:
        run(go())
    assert "overloaded_error" in str(exc.value)


def test_429_with_x_should_retry_false_is_not_retried(server):
    server.faults.append("rate_limited")
    model = AnthropicModel(api_key="sk-live-test", base_url=server.url)

    async def go():
        async with model.client() as client:
            await _stream(client, messages=[{"role": "user", "content": "halo"}])

    with pytest.raises(anthropic.RateLimitError):
        run(go())
    assert len(server.requests) == 1


def test_529_with_retry_after_is_retried(server):
    server.faults.append("overloaded")
    model = AnthropicModel(api_key="sk-live-test", base_url=server.url)

    async def go():
        async with model.client() as client:
            return await _stream(client, messages=[{"role": "user", "content": "halo"}])

    _, final = run(go())
    assert final.stop_reason == "end_turn"
    assert len(server.requests) == 2
    assert server.requests[1]["headers"]["x-stainless-retry-count"] == "1"


def test_wrong_key_is_401(server):
    model = AnthropicModel(api_key="sk-wrong", base_url=server.url)

    async def go():
        async with model.client() as client:
            await _stream(client, messages=[{"role": "user", "content": "halo"}])

    with pytest.raises(anthropic.AuthenticationError):
        run(go())


# --- Plain Indonesian, case by case ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "price"),
    [("15 ribu", 15000), ("15rb", 15000), ("Rp15.000", 15000), ("15k", 15000), ("Rp 1,5 juta", 1500000),
     ("harga 25000", 25000), ("Rp 7.500,-", 7500)],
)  # fmt: skip
def test_prices(text, price):
    assert parse_money(text)[0] == price


P1 = "11111111-1111-1111-1111-111111111111"
P2 = "22222222-2222-2222-2222-222222222222"
S3 = "33333333-3333-3333-3333-333333333333"
CASES = [
    ("tambahkan keripik tempe pedas 15 ribu stok 30", "create_product",
     {"name": "Keripik Tempe Pedas", "price": 15000, "stock": 30}),
    ("tambah produk sambal pecel harga Rp25.000 stok 10", "create_product",
     {"name": "Sambal Pecel", "price": 25000, "stock": 10}),
    ("buat produk baru: kopi bubuk robusta 200 gram 35rb, stoknya 12", "create_product",
     {"name": "Kopi Bubuk Robusta", "price": 35000, "stock": 12, "weight_gram": 200}),
    ("add spicy tempeh chips 15k stock 30", "create_product",
     {"name": "Spicy Tempeh Chips", "price": 15000, "stock": 30}),
    ("buat promo HEMAT10 diskon 10% sampai akhir bulan", "create_promo",
     {"code": "HEMAT10", "type": "percentage", "value": 10, "starts_at": "2026-12-01T00:00:00+07:00",
      "ends_at": "2026-12-31T23:59:59+07:00"}),
    ("kode promo MERDEKA potongan 5 ribu mulai besok sampai 17 januari", "create_promo",
     {"code": "MERDEKA", "type": "fixed", "value": 5000, "starts_at": "2026-12-02T00:00:00+07:00",
      "ends_at": "2027-01-17T23:59:59+07:00"}),
    ("bikin voucher LEBARAN 15 persen selama 7 hari", "create_promo",
     {"code": "LEBARAN", "type": "percentage", "value": 15, "starts_at": "2026-12-01T00:00:00+07:00",
      "ends_at": "2026-12-07T23:59:59+07:00"}),
    ("ringkasan pesanan 7 hari", "get_order_summary", {"days": 7}),
    ("berapa omzet minggu ini?", "get_order_summary", {"period": "this_week"}),
    ("laporan penjualan bulan ini", "get_order_summary", {"period": "this_month"}),
    ("cek pesanan 14 hari terakhir", "get_order_summary", {"days": 14}),
    ("ubah nama toko jadi Keripik Bu Sri", "update_store_info", {"name": "Keripik Bu Sri"}),
    ("ganti deskripsi toko: Camilan khas Blitar sejak 1998", "update_store_info",
     {"description": "Camilan khas Blitar sejak 1998"}),
    ("ubah alamat toko jadi Jl. Merdeka 5, Blitar", "update_store_info", {"address": "Jl. Merdeka 5, Blitar"}),
    ("set lokasi toko -8.0983, 112.1681", "set_store_location", {"lat": -8.0983, "lng": 112.1681}),
    ("lokasi toko saya di -8.1, 112.16 alamat Jl. Kenari 3 Blitar", "set_store_location",
     {"lat": -8.1, "lng": 112.16, "address": "Jl. Kenari 3 Blitar"}),
    ("titik peta toko https://maps.google.com/@-8.0951,112.1609,17z", "set_store_location",
     {"lat": -8.0951, "lng": 112.1609}),
    ("sinkronkan semua produk ke Shopee", "sync_to_marketplace", {"platform": "shopee"}),
    ("sync keripik tempe ke tokopedia", "sync_to_marketplace", {"platform": "tokopedia", "product_ids": [P1]}),
    ("upload sambal pecel ke lazada", "sync_to_marketplace", {"platform": "lazada", "product_ids": [P2]}),
    ("buat draf posting instagram untuk keripik tempe", "draft_instagram_post", {"product_id": P1}),
    ("posting IG sambal pecel caption: Pedasnya nagih!", "draft_instagram_post",
     {"product_id": P2, "caption": "Pedasnya nagih!"}),
    ("jadwalkan posting instagram keripik tempe besok jam 10", "draft_instagram_post",
     {"product_id": P1, "schedule_at": "2026-12-02T10:00:00+07:00"}),
    ("perbaiki foto keripik tempe", "enhance_product_photo", {"product_id": P1, "image_url": "/media/products/a.jpg"}),
    ("tolong percantik foto produk keripik tempe pedas", "enhance_product_photo",
     {"product_id": P1, "image_url": "/media/products/a.jpg"}),
    ("enhance the photo of keripik tempe", "enhance_product_photo",
     {"product_id": P1, "image_url": "/media/products/a.jpg"}),
    ("jadikan toko Keripik Bu Sri unggulan", "feature_store", {"store_id": S3, "featured": True}),
    ("tampilkan toko keripik bu sri di beranda", "feature_store", {"store_id": S3, "featured": True}),
    ("hapus toko Keripik Bu Sri dari unggulan", "feature_store", {"store_id": S3, "featured": False}),
    ("jadikan produk sambal pecel unggulan", "feature_product", {"product_id": P2, "featured": True}),
    ("feature product keripik tempe pedas on the homepage", "feature_product", {"product_id": P1, "featured": True}),
    ("batalkan unggulan produk keripik tempe", "feature_product", {"product_id": P1, "featured": False}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "tool", "expected"), CASES)
def test_indonesian_commands(text, tool, expected):
    assert understand(text, system=SYSTEM, tools=ALL) == (tool, expected)


@pytest.mark.parametrize("text", ["halo", "apa kabar?", "siapa presiden pertama?"])
def test_anything_else_gets_what_it_can_do(text):
    assert understand(text, system=SYSTEM, tools=ALL) is None


def test_tools_not_offered_are_never_called():
    sellers = ALL - {"feature_store", "feature_product"}
    assert understand("jadikan produk sambal pecel unggulan", system=SYSTEM, tools=sellers) is None
