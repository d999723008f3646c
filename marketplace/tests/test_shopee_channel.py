"""Shopee v2: the published signature vectors, the platform's rules (providers-2.md section 3),
and the live client against the platform served on 127.0.0.1."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from marketplace.channels.base import ChannelError, ListingInput, StockUpdate
from marketplace.channels.fakeserver import FakePlatformServer
from marketplace.channels.shopee import (
    ShopeeChannel,
    ShopeePlatform,
    SimulatorShopeeChannel,
    push_signature,
    sign,
    sign_base,
)
from marketplace.channels.simstate import MemoryState

VECTOR_PARTNER_ID = "847892"
VECTOR_KEY = "57615053704d6470644f554a78656d50484143644964436a5568777544524579"
PARTNER_ID = "847892"
KEY = "rahasia-partner-key"
WEBHOOK = "https://toko.example/api/webhooks/shopee"


class Clock:
    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now


def test_published_vectors_public_and_shop():
    base = sign_base(VECTOR_PARTNER_ID, "/api/v2/shop/auth_partner", 1700000000)
    assert base == "847892/api/v2/shop/auth_partner1700000000"
    assert sign(VECTOR_KEY, base) == "1acc5f3e09b475aae5b070e0369b56d23d9cb65eb053a9e8d35224ad6ab45ce6"
    base = sign_base(VECTOR_PARTNER_ID, "/api/v2/product/update_stock", 1700000000, "ACCESSTOKEN", "123456")
    assert sign(VECTOR_KEY, base) == "730862a89d0a973b2274d7251ba8894f310c7e2eb482fe533b53dcd24d9ad24b"


def setup_platform(clock: Clock | None = None):
    clock = clock or Clock()
    platform = ShopeePlatform(
        MemoryState("shopee"), partner_id=PARTNER_ID, partner_key=KEY, webhook_url=WEBHOOK, clock=clock
    )
    channel = ShopeeChannel(
        partner_id=PARTNER_ID,
        partner_key=KEY,
        webhook_url=WEBHOOK,
        transport=httpx.MockTransport(platform),
        clock=clock,
        image_fetcher=lambda url: b"\xff\xd8jpeg" + url.encode(),
    )
    return platform, channel, clock


def connect(platform, channel):
    consent = platform.consent(shop_name="Sambal Bu Sri")
    return channel.exchange_code(code=consent["code"], params={"shop_id": consent["shop_id"]})


def item(product_id="p1", stock=5, **extra):
    fields = {
        "product_id": product_id,
        "sku": product_id,
        "name": "Sambal Pecel Blitar",
        "description": "Sambal pecel khas Blitar",
        "price": 25000,
        "stock": stock,
        "weight_grams": 250,
        "image_urls": ["https://toko.example/media/a.jpg"],
        "category_id": "100780",
    }
    fields.update(extra)
    return ListingInput(**fields)


def test_wrong_sign_refused_with_shopee_error_shape():
    platform, _channel, clock = setup_platform()
    ts = int(clock())
    response = platform(
        httpx.Request(
            "POST",
            f"https://x/api/v2/auth/token/get?partner_id={PARTNER_ID}&timestamp={ts}&sign={'0' * 64}",
            json={"code": "x", "shop_id": 1, "partner_id": int(PARTNER_ID)},
        )
    )
    body = response.json()
    assert body["error"] == "error_sign" and body["message"] == "Wrong sign" and body["request_id"]


def test_shop_sign_must_include_token_and_shop():
    platform, channel, clock = setup_platform()
    tokens = connect(platform, channel)
    ts = int(clock())
    public_sign = sign(KEY, sign_base(PARTNER_ID, "/api/v2/shop/get_shop_info", ts))  # the wrong base variant
    url = (
        f"https://x/api/v2/shop/get_shop_info?partner_id={PARTNER_ID}&timestamp={ts}&sign={public_sign}"
        f"&access_token={tokens.access_token}&shop_id={tokens.shop_id}"
    )
    assert platform(httpx.Request("GET", url)).json()["error"] == "error_sign"


def test_timestamp_older_than_300s_refused():
    platform, channel, clock = setup_platform()
    stale = ShopeeChannel(
        partner_id=PARTNER_ID, partner_key=KEY, transport=httpx.MockTransport(platform), clock=lambda: clock() - 301
    )
    consent = platform.consent()
    with pytest.raises(ChannelError) as err:
        stale.exchange_code(code=consent["code"], params={"shop_id": consent["shop_id"]})
    assert err.value.platform_code == "error_param" and err.value.detail == "Invalid timestamp"
    # 299 s is still inside the window.
    ok = ShopeeChannel(
        partner_id=PARTNER_ID, partner_key=KEY, transport=httpx.MockTransport(platform), clock=lambda: clock() - 299
    )
    consent = platform.consent()
    assert ok.exchange_code(code=consent["code"], params={"shop_id": consent["shop_id"]}).access_token


def test_code_is_single_use_and_expires_after_10_minutes():
    platform, channel, clock = setup_platform()
    consent = platform.consent(shop_name="Sambal Bu Sri")
    tokens = channel.exchange_code(code=consent["code"], params={"shop_id": consent["shop_id"]})
    assert tokens.shop_name == "Sambal Bu Sri"
    with pytest.raises(ChannelError) as err:
        channel.exchange_code(code=consent["code"], params={"shop_id": consent["shop_id"]})
    assert err.value.platform_code == "error_auth"
    late = platform.consent()
    clock.now += 601
    with pytest.raises(ChannelError):
        channel.exchange_code(code=late["code"], params={"shop_id": late["shop_id"]})


def test_refresh_rotates_single_use_and_old_access_has_5_minutes():
    platform, channel, clock = setup_platform()
    first = connect(platform, channel)
    second = channel.refresh(first)
    assert second.access_token != first.access_token and second.refresh_token != first.refresh_token
    with pytest.raises(ChannelError) as err:
        channel.refresh(first)  # the old refresh token was used once already
    assert err.value.platform_code == "error_auth" and err.value.auth_failed
    clock.now += 299
    assert channel.shop_name(first) == "Sambal Bu Sri"  # old access token: 5 more minutes
    clock.now += 2
    with pytest.raises(ChannelError) as err:
        channel.shop_name(first)
    assert err.value.platform_code == "error_auth"
    assert channel.shop_name(second) == "Sambal Bu Sri"


def test_access_token_expires_after_4_hours():
    platform, channel, clock = setup_platform()
    tokens = connect(platform, channel)
    assert (tokens.access_expires_at - datetime.fromtimestamp(clock(), UTC)).total_seconds() == 4 * 3600
    clock.now += 4 * 3600 + 1
    with pytest.raises(ChannelError) as err:
        channel.shop_name(tokens)
    assert err.value.auth_failed


def test_add_item_requires_images_and_update_stock_partial_success():
    platform, channel, _clock = setup_platform()
    tokens = connect(platform, channel)
    results = channel.upsert_listings(tokens, [item("p1", 5), item("p2", 3, image_urls=[]), item("p3", 0, price=0)])
    assert [r.ok for r in results] == [True, False, False]
    assert results[1].error_code == "error_param"
    assert results[2].error_code == "product.error_param"
    item_id = results[0].external_id
    assert platform.item(item_id)["stock"] == 5
    platform.set_reserved(item_id, 2)
    stock = channel.update_stock(tokens, [StockUpdate(item_id, "0", 1)])
    assert not stock[0].ok and "reserved" in stock[0].error_message
    assert platform.item(item_id)["stock"] == 5
    stock = channel.update_stock(tokens, [StockUpdate(item_id, "0", 4)])
    assert stock[0].ok and platform.item(item_id)["stock"] == 4


def test_update_stock_more_than_50_entries_refused():
    platform, channel, clock = setup_platform()
    tokens = connect(platform, channel)
    item_id = channel.upsert_listings(tokens, [item()])[0].external_id
    path = "/api/v2/product/update_stock"
    ts = int(clock())
    s = sign(KEY, sign_base(PARTNER_ID, path, ts, tokens.access_token, tokens.shop_id))
    url = f"https://x{path}?partner_id={PARTNER_ID}&timestamp={ts}&sign={s}&access_token={tokens.access_token}&shop_id={tokens.shop_id}"
    body = {"item_id": int(item_id), "stock_list": [{"model_id": 0, "seller_stock": [{"stock": 1}]}] * 51}
    assert platform(httpx.Request("POST", url, json=body)).json()["error"] == "product.error_param"


def test_throttled_call_is_retryable():
    platform, channel, _clock = setup_platform()
    tokens = connect(platform, channel)
    item_id = channel.upsert_listings(tokens, [item()])[0].external_id
    platform.inject_fault("/api/v2/product/update_stock", "error_system_busy")
    result = channel.update_stock(tokens, [StockUpdate(item_id, "0", 3)])[0]
    assert not result.ok and result.retryable and result.error_code == "error_system_busy"


def test_orders_and_signed_push():
    platform, channel, clock = setup_platform()
    tokens = connect(platform, channel)
    item_id = channel.upsert_listings(tokens, [item(stock=2)])[0].external_id
    since = datetime.fromtimestamp(clock() - 60, UTC)
    order_sn = platform.place_order(shop_id=tokens.shop_id, lines=[(item_id, 2)], buyer_name="budi")
    with pytest.raises(ChannelError):
        platform.place_order(shop_id=tokens.shop_id, lines=[(item_id, 1)])  # sold out on Shopee
    orders = channel.fetch_orders(tokens, since=since)
    assert [o.external_order_id for o in orders] == [order_sn]
    assert orders[0].lines[0].external_id == item_id and orders[0].lines[0].quantity == 2
    assert orders[0].total == 50000 and not orders[0].cancelled
    [(_key, raw, headers)] = platform.pending_pushes()
    assert headers["Authorization"] == push_signature(KEY, WEBHOOK, raw)
    assert channel.verify_push(url=WEBHOOK, headers=headers, body=raw)
    assert not channel.verify_push(url=WEBHOOK, headers=headers, body=raw + b" ")
    assert not channel.verify_push(url=WEBHOOK, headers={}, body=raw)
    [event] = channel.parse_push(raw)
    assert event.kind == "order" and event.external_id == order_sn and event.shop_id == tokens.shop_id
    platform.cancel_order(shop_id=tokens.shop_id, order_sn=order_sn)
    assert channel.get_order(tokens, order_sn).cancelled
    assert platform.item(item_id)["stock"] == 2


def test_authorize_url_carries_state_in_redirect():
    _platform, channel, _clock = setup_platform()
    url = channel.authorize_url(
        state="abc123", redirect_uri="https://toko.example/dashboard/marketplace/callback/shopee/"
    )
    query = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == "/api/v2/shop/auth_partner"
    assert query["redirect"] == ["https://toko.example/dashboard/marketplace/callback/shopee/?state=abc123"]
    ts = int(query["timestamp"][0])
    assert query["sign"] == [sign(KEY, sign_base(PARTNER_ID, "/api/v2/shop/auth_partner", ts))]


def test_live_client_against_fake_server_on_localhost():
    clock = Clock()
    platform = ShopeePlatform(
        MemoryState("shopee"), partner_id=PARTNER_ID, partner_key=KEY, webhook_url=WEBHOOK, clock=clock
    )
    with FakePlatformServer(platform) as server:
        channel = ShopeeChannel(
            partner_id=PARTNER_ID,
            partner_key=KEY,
            base_url=server.url,
            webhook_url=WEBHOOK,
            clock=clock,
            image_fetcher=lambda url: b"\xff\xd8jpeg",
        )
        tokens = connect(platform, channel)
        [result] = channel.upsert_listings(tokens, [item(stock=7)])
        assert result.ok
        [stock] = channel.update_stock(tokens, [StockUpdate(result.external_id, "0", 6)])
        assert stock.ok and platform.item(result.external_id)["stock"] == 6
        fresh = channel.refresh(tokens)
        assert channel.shop_name(fresh) == "Sambal Bu Sri"
        wrong = ShopeeChannel(partner_id=PARTNER_ID, partner_key="not-the-key", base_url=server.url, clock=clock)
        with pytest.raises(ChannelError) as err:
            wrong.shop_name(fresh)
        assert err.value.platform_code == "error_sign" and err.value.status == 403
    # Every request the server saw was signed with a timestamp in seconds.
    paths = [r.url.path for r in server.requests]
    assert "/api/v2/media_space/upload_image" in paths and "/api/v2/product/add_item" in paths
    assert all(len(parse_qs(r.url.query.decode())["timestamp"][0]) == 10 for r in server.requests)


def test_simulator_channel_uses_memory_state_and_delivers_pushes():
    received = []

    def transport(url, raw, headers):
        received.append((url, raw, headers))
        return 200 if len(received) > 1 else 500  # first delivery fails: stays queued

    sim = SimulatorShopeeChannel(
        partner_key=KEY, webhook_url=WEBHOOK, state=MemoryState("shopee"), push_transport=transport
    )
    consent = sim.simulate_consent(shop_name="Toko Sim")
    tokens = sim.exchange_code(code=consent["code"], params=consent)
    [result] = sim.upsert_listings(tokens, [item(stock=3)])
    sim.simulate_order(shop_id=tokens.shop_id, lines=[(result.external_id, 1)])
    assert sim.deliver_pushes() == 0
    assert sim.deliver_pushes() == 1
    assert sim.deliver_pushes() == 0
    assert json.loads(received[-1][1])["code"] == 3
    assert sim.verify_push(url=WEBHOOK, headers=received[-1][2], body=received[-1][1])
    assert sim.authorize_url(state="s1", redirect_uri="/cb/").startswith(
        "/dashboard/marketplace/simulator/shopee/authorize?"
    )


def test_authorization_expiry_push_7_days_ahead_and_expiry_refuses_calls():
    platform, channel, clock = setup_platform()
    tokens = connect(platform, channel)
    assert platform.pending_pushes() == []
    platform.set_authorization_expiry(tokens.shop_id, clock() + 7 * 86400 + 60)
    assert platform.pending_pushes() == []
    clock.now += 61
    [(_key, raw, _headers)] = platform.pending_pushes()
    [event] = channel.parse_push(raw)
    assert event.kind == "authorization_expiring" and event.shop_id == tokens.shop_id
    assert len(platform.pending_pushes()) == 1  # warned once
    fresh = channel.refresh(tokens)
    clock.now += 7 * 86400
    with pytest.raises(ChannelError) as err:
        channel.shop_name(fresh)
    assert err.value.auth_failed
    with pytest.raises(ChannelError):
        channel.refresh(fresh)
