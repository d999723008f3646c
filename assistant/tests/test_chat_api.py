"""POST /api/ai/chat end to end: SSE shape, tools through the real services, permissions."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from assistant.llm.brain import Plan
from assistant.models import ChatMessage, Conversation, UsageDay
from audit.models import AuditLog
from catalog.models import Product
from catalog.tests.factories import catalog_product
from conftest import PASSWORD, make_admin, make_user
from photos.models import EnhanceJob
from promos.models import Promo
from stores.models import Store, StoreFeatureFlags

from .conftest import chat

pytestmark = pytest.mark.django_db


def test_add_product_streams_text_in_several_chunks_and_creates_it(seller):
    reply = chat(seller, "tambahkan keripik tempe pedas 15 ribu stok 30")

    assert reply.status == 200
    assert reply.content_type.startswith("text/event-stream")
    events = reply.events
    assert "session_id" in events[0]
    assert events[-1] == "[DONE]"
    # Token deltas, not the whole reply at once: many text events, many chunks on the wire.
    assert sum(1 for e in events if isinstance(e, dict) and "text" in e) >= 5
    assert len(reply.chunks) >= 6
    product = Product.objects.get(store__owner=seller)
    assert (product.name, product.price, product.stock) == ("Keripik Tempe Pedas", 15000, 30)
    [tool] = reply.tools
    assert tool["tool"] == "create_product" and tool["status"] == "ok"
    assert tool["result"]["id"] == str(product.pk)
    assert tool["result"]["url"] == f"/dashboard/produk/{product.pk}/"
    # The model's confirmation after the tool result comes after the tool event.
    assert "✅" in reply.text
    assert events.index(tool) < max(i for i, e in enumerate(events) if isinstance(e, dict) and "text" in e)
    audit = AuditLog.objects.get(action="assistant.create_product")
    assert audit.actor == seller
    assert audit.before == {"input": {"name": "Keripik Tempe Pedas", "price": 15000, "stock": 30}}
    assert audit.after["status"] == "ok"
    assert audit.target_id == events[0]["session_id"]


def test_usage_recorded_per_store_per_day(seller):
    chat(seller, "tambahkan keripik tempe pedas 15 ribu stok 30")
    store = Store.objects.get(owner=seller)
    row = UsageDay.objects.get(subject=f"store:{store.pk}")
    assert row.requests == 2  # the tool_use round and the confirmation round
    assert row.input_tokens > 0 and row.output_tokens > 0


def test_daily_budget_exceeded_is_a_clear_event(seller, settings):
    settings.AI_DAILY_TOKEN_BUDGET = 10
    chat(seller, "berapa omzet minggu ini?")  # uses more than 10 tokens
    reply = chat(seller, "tambahkan keripik tempe pedas 15 ribu stok 30")
    assert reply.status == 200
    assert {"error", "code"} <= set(reply.events[1]) and reply.events[1]["code"] == "ai_budget_exceeded"
    assert reply.events[-1] == "[DONE]"
    assert not Product.objects.exists()


def test_order_summary_and_english_reply(seller):
    reply = chat(seller, "what are my sales this week?")
    [tool] = reply.tools
    assert tool["tool"] == "get_order_summary" and tool["status"] == "ok"
    assert tool["result"]["period"] == "this_week" and tool["result"]["orders"] == 0
    assert "revenue" in reply.text and "This week" in reply.text


def test_conversation_persists_and_history_is_reloaded(seller):
    first = chat(seller, "tambahkan keripik tempe pedas 15 ribu stok 30")
    session_id = first.events[0]["session_id"]
    second = chat(seller, "halo", session_id=session_id)
    assert second.events[0]["session_id"] == session_id
    conversation = Conversation.objects.get(pk=session_id)
    assert conversation.owner == seller
    assert list(conversation.messages.values_list("turn", flat=True).distinct().order_by("turn")) == [1, 2]
    # A seller's conversation list and transcript come from the panel's API.
    client = Client()
    client.login(email=seller.email, password=PASSWORD)
    listed = client.get("/api/ai/conversations").json()["data"]
    assert [c["id"] for c in listed] == [session_id]
    items = client.get(f"/api/ai/conversations/{session_id}").json()["data"]["items"]
    assert items[0] == {"role": "user", "text": "tambahkan keripik tempe pedas 15 ribu stok 30"}
    assert any(i.get("tool") == "create_product" and i["status"] == "ok" for i in items)


def test_another_users_conversation_is_404(seller, other_seller):
    session_id = chat(seller, "halo").events[0]["session_id"]
    reply = chat(other_seller, "tambahkan keripik 10 ribu", session_id=session_id)
    assert reply.status == 404
    assert reply.json()["meta"]["code"] == "conversation_not_found"
    assert ChatMessage.objects.filter(conversation_id=session_id).count() == 2  # untouched
    client = Client()
    client.login(email=other_seller.email, password=PASSWORD)
    assert client.get(f"/api/ai/conversations/{session_id}").status_code == 404
    unknown = chat(seller, "halo", session_id=str(uuid.uuid4()))
    assert unknown.status == 404


def test_flag_off_refuses_before_streaming(seller):
    store = Store.objects.get(owner=seller)
    StoreFeatureFlags.objects.create(store=store, ai_assistant=False)
    reply = chat(seller, "tambahkan keripik tempe pedas 15 ribu stok 30")
    assert reply.status == 403
    assert reply.json()["meta"]["code"] == "feature_disabled"
    assert not Product.objects.exists() and not Conversation.objects.exists()


def test_tool_run_rechecks_the_switch(seller):
    # The switch may go off while a conversation is open: every tool run checks it again.
    from assistant.tools import run_tool

    StoreFeatureFlags.objects.create(store=Store.objects.get(owner=seller), ai_assistant=False)
    outcome = run_tool(
        actor=seller,
        name="create_product",
        tool_input={"name": "Kopi", "price": 1000, "stock": 1},
        conversation_id=str(uuid.uuid4()),
    )
    assert not outcome.ok and outcome.result["code"] == "feature_disabled"
    assert not Product.objects.exists()


def test_a_tool_cannot_bypass_a_disabled_feature(seller):
    StoreFeatureFlags.objects.create(store=Store.objects.get(owner=seller), promos=False)
    reply = chat(seller, "buat promo HEMAT10 diskon 10% sampai akhir bulan")
    [tool] = reply.tools
    assert tool["status"] == "error" and tool["result"]["code"] == "feature_disabled"
    assert not Promo.objects.exists()


def test_buyer_and_anonymous_refused(buyer):
    reply = chat(buyer, "tambahkan keripik 10 ribu")
    assert reply.status == 403
    anonymous = Client().post("/api/ai/chat", {"message": "halo"}, content_type="application/json")
    assert anonymous.status_code == 401


def test_session_post_needs_csrf(seller):
    client = Client(enforce_csrf_checks=True)
    client.login(email=seller.email, password=PASSWORD)
    response = client.post("/api/ai/chat", {"message": "halo"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]
    assert not Conversation.objects.exists()


def test_invalid_body_is_400(seller):
    reply = chat(seller, "")
    assert reply.status == 400
    assert "message" in reply.json()["meta"]["fields"]


def test_invalid_tool_input_is_an_error_event_and_changes_nothing(seller, fake_anthropic):
    fake_anthropic.script.append(Plan().say("Baik.").call("create_product", {"name": "Kopi", "price": -5, "stock": 3}))
    reply = chat(seller, "tambahkan kopi")
    [tool] = reply.tools
    assert tool["status"] == "error" and tool["result"]["code"] == "invalid"
    assert "price" in tool["result"]["fields"]
    assert not Product.objects.exists()
    # The model got an is_error tool_result with the same id and could answer.
    second = fake_anthropic.requests[1]["body"]["messages"][-1]["content"][0]
    first_call = fake_anthropic.requests[1]["body"]["messages"][-2]["content"][-1]
    assert second["type"] == "tool_result" and second["is_error"] is True
    assert second["tool_use_id"] == first_call["id"]
    assert "Maaf" in reply.text
    audit = AuditLog.objects.get(action="assistant.create_product")
    assert audit.after["status"] == "error"


def test_seller_cannot_run_an_admin_tool(seller, other_seller, fake_anthropic):
    target = Store.objects.get(owner=other_seller)
    fake_anthropic.script.append(Plan().call("feature_store", {"store_id": str(target.pk), "featured": True}))
    reply = chat(seller, "jadikan toko lain unggulan")
    [tool] = reply.tools
    assert tool["status"] == "error" and tool["result"]["code"] == "tool_not_allowed"
    target.refresh_from_db()
    assert target.featured is False
    # A seller is never even offered the admin tools.
    offered = {t["name"] for t in fake_anthropic.requests[0]["body"]["tools"]}
    assert "feature_store" not in offered and "create_product" in offered


def test_seller_cannot_touch_another_stores_product(seller, other_seller, fake_anthropic):
    other_product = catalog_product(Store.objects.get(owner=other_seller), name="Sambal Orang Lain")
    fake_anthropic.script.append(
        Plan().call("enhance_product_photo", {"product_id": str(other_product.pk), "image_url": "/media/x.jpg"})
    )
    reply = chat(seller, "perbaiki foto sambal orang lain")
    [tool] = reply.tools
    assert tool["status"] == "error" and tool["result"]["code"] in ("product_not_found", "not_found")
    assert not EnhanceJob.objects.exists()


def test_admin_features_a_store_by_plain_indonesian():
    admin = make_admin()
    seller = make_user("seller")
    store = Store.objects.get(owner=seller)
    Store.objects.filter(pk=store.pk).update(name="Keripik Bu Sri")
    reply = chat(admin, "jadikan toko Keripik Bu Sri unggulan di beranda")
    [tool] = reply.tools
    assert tool == {
        "tool": "feature_store",
        "status": "ok",
        "result": {"id": str(store.pk), "name": "Keripik Bu Sri", "featured": True},
    }
    store.refresh_from_db()
    assert store.featured is True
    assert AuditLog.objects.filter(action="assistant.feature_store", actor=admin).exists()
    assert AuditLog.objects.filter(action="store.feature", actor=admin).exists()


def test_promo_with_dates(seller):
    reply = chat(seller, "buat promo HEMAT10 diskon 10% sampai akhir bulan")
    [tool] = reply.tools
    assert tool["status"] == "ok", tool
    promo = Promo.objects.get(code="HEMAT10")
    assert promo.store.owner == seller and promo.type == "percentage" and promo.value == 10
    assert promo.ends_at is not None and promo.ends_at > promo.starts_at


def test_round_bound(seller, fake_anthropic, settings):
    settings.AI_MAX_ROUNDS = 3
    for _ in range(10):  # a model that never stops calling tools
        fake_anthropic.script.append(Plan().call("get_order_summary", {"days": 7}))
    reply = chat(seller, "ringkasan pesanan 7 hari")
    assert len(fake_anthropic.requests) == 3
    assert len(reply.tools) == 3
    assert reply.events[-2].get("notice") == "max_rounds"
    assert reply.events[-1] == "[DONE]"
    # The next turn is a valid conversation again (alternating roles, every tool_use answered).
    fake_anthropic.script.clear()
    again = chat(seller, "halo", session_id=reply.events[0]["session_id"])
    assert again.status == 200 and "error" not in again.events[1]


def test_output_token_bound(seller, fake_anthropic, settings):
    settings.AI_MAX_OUTPUT_TOKENS_PER_TURN = 12
    fake_anthropic.script.append(Plan().say("kata " * 200))
    reply = chat(seller, "ceritakan")
    assert fake_anthropic.requests[0]["body"]["max_tokens"] == 12
    assert reply.events[-2].get("notice") == "max_tokens"


def test_tool_json_cut_by_max_tokens_is_never_run(seller, fake_anthropic, settings):
    settings.AI_MAX_OUTPUT_TOKENS_PER_TURN = 8
    fake_anthropic.script.append(
        Plan().call("create_product", {"name": "Keripik Tempe Pedas Sekali Enak", "price": 15000, "stock": 30})
    )
    reply = chat(seller, "tambahkan keripik")
    assert reply.tools == []
    assert not Product.objects.exists()


# --- The two sales-channel tools (their apps are built alongside this one) -----------------------


def test_instagram_draft_by_chat(seller, settings, tmp_path):
    from instagram.models import InstagramPost

    settings.INSTAGRAM_PROVIDER = "simulator"
    settings.MEDIA_ROOT = tmp_path
    store = Store.objects.get(owner=seller)
    StoreFeatureFlags.objects.update_or_create(store=store, defaults={"instagram": True})
    product = catalog_product(store, name="Keripik Tempe Pedas")
    reply = chat(seller, "buat draf posting instagram untuk keripik tempe")
    [tool] = reply.tools
    assert tool["tool"] == "draft_instagram_post" and tool["status"] == "ok", tool
    post = InstagramPost.objects.get(store=store)
    assert post.product == product and post.status == InstagramPost.Status.DRAFT
    assert tool["result"]["id"] == str(post.pk)


def test_instagram_tool_cannot_bypass_its_switch(seller):
    from instagram.models import InstagramPost

    store = Store.objects.get(owner=seller)
    StoreFeatureFlags.objects.update_or_create(store=store, defaults={"instagram": False})
    catalog_product(store, name="Keripik Tempe Pedas")
    reply = chat(seller, "buat draf posting instagram untuk keripik tempe")
    [tool] = reply.tools
    assert tool["status"] == "error" and tool["result"]["code"] == "feature_disabled"
    assert not InstagramPost.objects.exists()


def test_marketplace_sync_by_chat(seller):
    from marketplace.tests.helpers import connect_shopee

    store = Store.objects.get(owner=seller)
    StoreFeatureFlags.objects.update_or_create(store=store, defaults={"marketplace_sync": True})
    connect_shopee(seller)
    catalog_product(store, name="Keripik Tempe Pedas")
    reply = chat(seller, "sinkronkan semua produk ke Shopee")
    [tool] = reply.tools
    assert tool["tool"] == "sync_to_marketplace", tool
    assert tool["status"] == "ok", tool
    assert tool["result"]["platform"] == "shopee"
    assert tool["result"]["synced"] + tool["result"]["failed"] + tool["result"]["queued"] == 1


def test_marketplace_sync_without_connection_is_an_error_event(seller):
    store = Store.objects.get(owner=seller)
    StoreFeatureFlags.objects.update_or_create(store=store, defaults={"marketplace_sync": True})
    reply = chat(seller, "sinkronkan semua produk ke Shopee")
    [tool] = reply.tools
    assert tool["status"] == "error"


def test_tighter_ai_rate_limit(seller, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_AI = "2/m"
    assert [chat(seller, "halo").status for _ in range(3)] == [200, 200, 429]


def test_not_gzipped_so_each_delta_leaves_at_once(seller):
    # GZipMiddleware would hold the small frames in its compressor until a block fills.
    reply = chat(seller, "halo", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert reply.status == 200 and reply.content_encoding == ""
    assert reply.events[-1] == "[DONE]" and len(reply.chunks) > 5


def test_admin_order_summary_is_platform_wide_and_admin_gets_no_seller_only_tools(fake_anthropic):
    admin = make_admin()
    reply = chat(admin, "berapa omzet minggu ini?")
    [tool] = reply.tools
    assert tool["tool"] == "get_order_summary" and tool["status"] == "ok"
    assert {"orders", "paid_orders", "revenue"} <= set(tool["result"])
    offered = {t["name"] for t in fake_anthropic.requests[0]["body"]["tools"]}
    assert offered == {"create_promo", "get_order_summary", "feature_store", "feature_product"}
    # Prompt caching: the last tool definition and the seed's system prompt are marked.
    body = fake_anthropic.requests[0]["body"]
    assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert "You are TokoBLITAR AI" in body["system"][0]["text"] and "Admin Platform" in body["system"][0]["text"]
    assert "Asia/Jakarta" in body["system"][1]["text"]
