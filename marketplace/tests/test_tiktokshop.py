"""TikTok Shop (Tokopedia listings): the live client against TikTokShopPlatform served on
127.0.0.1, each rule of providers-2.md section 5 answered with TikTok Shop's own envelope, and
the simulator channel (DbState) end to end. Time moves through an injected clock."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from marketplace.channels.base import ChannelError, ListingInput, StockUpdate
from marketplace.channels.fakeserver import FakePlatformServer
from marketplace.channels.simstate import MemoryState
from marketplace.channels.tiktokshop import (
    SimulatorTikTokShopChannel,
    TikTokShopChannel,
    TikTokShopPlatform,
    push_signature,
    tts_sign,
)

APP_KEY = "29a39d"
APP_SECRET = "tts-test-secret"
DAY = 86400


class Clock:
    def __init__(self) -> None:
        self.t = float(int(time.time()))

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def item(n: int, **over) -> ListingInput:
    data = {
        "product_id": str(n),
        "sku": f"SKU-{n}",
        "name": f"Keripik Tempe {n}",
        "description": "Keripik tempe 200 g",
        "price": 18000,
        "stock": 20,
        "weight_grams": 200,
        "image_urls": [f"https://toko.example/img/{n}.jpg"],
        "category_id": "600001",
        "idempotency_key": f"key-{n}",
    }
    data.update(over)
    return ListingInput(**data)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def platform(clock):
    return TikTokShopPlatform(
        MemoryState("tokopedia"), app_key=APP_KEY, app_secret=APP_SECRET, now=clock, audit_seconds=600
    )


@pytest.fixture
def server(platform):
    with FakePlatformServer(platform) as running:
        yield running


def client(server, clock, **over) -> TikTokShopChannel:
    options = {
        "app_key": APP_KEY,
        "app_secret": APP_SECRET,
        "service_id": "7001",
        "api_url": server.url,
        "auth_url": server.url,
        "timeout": 5,
        "now": clock,
    }
    options.update(over)
    return TikTokShopChannel(**options)


def connect(platform, channel, shop_name="Toko Keripik"):
    return channel.exchange_code(code=platform.consent(shop_name), params={})


def test_signature_vector():
    """Self-computed (checked with `openssl dgst -sha256 -hmac s3cr3t`): the string signed is
    secret + path + sorted params without sign/access_token + body + secret:
    s3cr3t/order/202309/orders/searchapp_key29a39dpage_size10shop_cipherROW_abc
    timestamp1700000000{"update_time_ge":1699990000}s3cr3t"""
    params = {
        "app_key": "29a39d",
        "timestamp": "1700000000",
        "shop_cipher": "ROW_abc",
        "page_size": "10",
        "sign": "left out",
        "access_token": "left out too",
    }
    body = '{"update_time_ge":1699990000}'
    assert tts_sign("s3cr3t", "/order/202309/orders/search", params, body) == (
        "f33b01ed3b5b8f85abd6b476e2c7f9fda984fc9a09e9fa08b380f483742d38a7"
    )


def test_connect_list_stock_and_orders_against_the_fake_server(server, platform, clock):
    channel = client(server, clock)
    url = channel.authorize_url(state="st4te", redirect_uri="https://toko.example/cb")
    assert url == "https://services.tiktokshop.com/open/authorize?service_id=7001&state=st4te"

    tokens = connect(platform, channel)
    assert tokens.shop_name == "Toko Keripik" and tokens.shop_id
    assert tokens.extra["shop_cipher"].startswith("ROW_")
    assert tokens.access_expires_at == datetime.fromtimestamp(clock() + 7 * DAY, UTC)
    shops_call = server.requests[-1]
    assert shops_call.url.path == "/authorization/202309/shops"
    assert "shop_cipher" not in shops_call.url.params and shops_call.headers["x-tts-access-token"]

    [created] = channel.upsert_listings(tokens, [item(1)])
    assert created.ok and created.status == "pending_review" and created.external_sku_id
    sent = json.loads(server.requests[-1].content)
    assert sent["listing_platforms"] == ["TIKTOK_SHOP", "TOKOPEDIA"] and sent["save_mode"] == "LISTING"
    assert sent["skus"][0]["price"] == {"amount": "18000", "currency": "IDR"}
    assert sent["package_weight"] == {"value": "0.200", "unit": "KILOGRAM"}
    assert platform.state.get("product", created.external_id)["status"] == "PENDING"  # audit

    # The same idempotency key again: the same product, no second one.
    [again] = channel.upsert_listings(tokens, [item(1)])
    assert again.external_id == created.external_id and again.external_sku_id == created.external_sku_id
    assert len(platform.state.all("product")) == 1

    [edited] = channel.upsert_listings(tokens, [item(1, external_id=created.external_id, name="Keripik Pedas")])
    assert edited.ok and edited.external_sku_id == created.external_sku_id
    assert platform.state.get("product", created.external_id)["title"] == "Keripik Pedas"

    [second] = channel.upsert_listings(tokens, [item(2)])
    results = channel.update_stock(
        tokens,
        [
            StockUpdate(created.external_id, created.external_sku_id, 7),
            StockUpdate(created.external_id, "999", 1),
            StockUpdate(second.external_id, second.external_sku_id, 3),
        ],
    )
    assert [(r.ok, r.error_code) for r in results] == [(True, ""), (False, "40004"), (True, "")]
    assert platform.state.get("product", created.external_id)["skus"][0]["quantity"] == 7

    with pytest.raises(ChannelError):  # still in audit: not for sale
        platform.place_order(tokens.shop_id, [(created.external_id, 1)])
    clock.advance(601)
    since = datetime.fromtimestamp(clock() - 1, UTC)
    order_id = platform.place_order(tokens.shop_id, [(created.external_id, 2)], buyer_name="Rina")
    orders = channel.fetch_orders(tokens, since=since)
    assert [o.external_order_id for o in orders] == [order_id]
    order = channel.get_order(tokens, order_id)
    assert order.status == "AWAITING_SHIPMENT" and order.total == 36000 and order.buyer_name == "Rina"
    assert [(line.external_id, line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        (created.external_id, "SKU-1", 2, 18000)
    ]
    platform.cancel_order(tokens.shop_id, order_id)
    assert channel.get_order(tokens, order_id).cancelled
    assert platform.state.get("product", created.external_id)["skus"][0]["quantity"] == 7


def test_auth_code_single_use_and_30_minutes(server, platform, clock):
    channel = client(server, clock)
    code = platform.consent("Toko A")
    channel.exchange_code(code=code, params={})
    with pytest.raises(ChannelError) as reused:
        channel.exchange_code(code=code, params={})
    assert reused.value.platform_code == "36004004"
    late = platform.consent("Toko A")
    clock.advance(30 * 60 + 1)
    with pytest.raises(ChannelError):
        channel.exchange_code(code=late, params={})


def test_wrong_signature_is_106001(server, platform, clock):
    tokens = connect(platform, client(server, clock))
    with pytest.raises(ChannelError) as refused:
        client(server, clock, app_secret="wrong").upsert_listings(tokens, [item(1)])
    assert refused.value.platform_code == "106001" and not refused.value.retryable
    # The envelope as TikTok Shop sends it.
    body = httpx.get(f"{server.url}/authorization/202309/shops?app_key={APP_KEY}&timestamp=1&sign=x").json()
    assert set(body) == {"code", "message", "request_id", "data"} and body["code"] == 36009004


@pytest.mark.parametrize(("skew", "accepted"), [(-301, False), (-299, True), (29, True), (31, False)])
def test_timestamp_window_is_minus_300_plus_30(server, platform, clock, skew, accepted):
    tokens = connect(platform, client(server, clock))
    skewed = Clock()
    skewed.t = clock() + skew
    channel = client(server, skewed)
    if accepted:
        assert channel.update_stock(tokens, []) == []
        assert channel.fetch_orders(tokens, since=datetime.now(UTC)) == []
    else:
        with pytest.raises(ChannelError) as refused:
            channel.fetch_orders(tokens, since=datetime.now(UTC))
        assert refused.value.platform_code == "36009004"


def test_shop_cipher_rules(server, platform, clock):
    channel = client(server, clock)
    tokens = connect(platform, channel)
    without = type(tokens)(**{**tokens.__dict__, "extra": {}})
    with pytest.raises(ChannelError) as missing:
        channel.fetch_orders(without, since=datetime.now(UTC))
    assert missing.value.platform_code == "106013"
    other = connect(platform, channel, shop_name="Toko Lain")
    crossed = type(tokens)(**{**tokens.__dict__, "extra": {"shop_cipher": other.extra["shop_cipher"]}})
    with pytest.raises(ChannelError) as wrong_shop:
        channel.fetch_orders(crossed, since=datetime.now(UTC))
    assert wrong_shop.value.platform_code == "101000" and wrong_shop.value.auth_failed


def test_seven_day_token_and_refresh(server, platform, clock):
    channel = client(server, clock)
    tokens = connect(platform, channel)
    clock.advance(7 * DAY + 1)
    with pytest.raises(ChannelError) as expired:
        channel.fetch_orders(tokens, since=datetime.now(UTC))
    assert expired.value.platform_code == "105002" and expired.value.auth_failed
    fresh = channel.refresh(tokens)
    assert fresh.access_expires_at == datetime.fromtimestamp(clock() + 7 * DAY, UTC)
    assert fresh.shop_id == tokens.shop_id and fresh.extra["shop_cipher"] == tokens.extra["shop_cipher"]
    assert channel.fetch_orders(fresh, since=datetime.now(UTC) - timedelta(days=1)) == []


def test_50_qps_answers_429(clock):
    busy = TikTokShopPlatform(MemoryState("tokopedia"), app_key=APP_KEY, app_secret=APP_SECRET, now=clock, qps=3)
    with FakePlatformServer(busy) as running:
        channel = client(running, clock)
        tokens = connect(busy, channel)
        for _ in range(3):
            channel.fetch_orders(tokens, since=datetime.now(UTC))
        with pytest.raises(ChannelError) as throttled:
            channel.fetch_orders(tokens, since=datetime.now(UTC))
        assert throttled.value.status == 429 and throttled.value.platform_code == "36009002"
        assert throttled.value.retryable and throttled.value.retry_after == 1.0
        assert throttled.value.code == "marketplace_throttled"
        # Per API: another API of the same shop still answers in the same second.
        [made] = channel.upsert_listings(tokens, [item(1)])
        assert made.ok
        # Another shop has its own budget.
        other = connect(busy, channel, shop_name="Toko Lain")
        assert channel.fetch_orders(other, since=datetime.now(UTC)) == []
        clock.advance(1)
        assert channel.fetch_orders(tokens, since=datetime.now(UTC)) == []


def test_product_refusal_is_a_result(server, platform, clock):
    channel = client(server, clock)
    tokens = connect(platform, channel)
    results = channel.upsert_listings(tokens, [item(1, price=0), item(2), item(3, idempotency_key="k" * 129)])
    assert [(r.ok, r.error_code) for r in results] == [(False, "40002"), (True, ""), (False, "40002")]


def test_no_tokopedia_native_endpoints(server):
    for path in ("/v1/products/fs/123/create", "/v2/order/list", "/token"):
        response = httpx.post(server.url + path)
        assert response.status_code == 404


def test_verify_and_parse_push():
    channel = TikTokShopChannel(app_key=APP_KEY, app_secret=APP_SECRET)
    body = json.dumps(
        {"type": 1, "tts_notification_id": "n1", "shop_id": "77", "timestamp": 1, "data": {"order_id": "55"}}
    ).encode()
    good = push_signature(APP_KEY, APP_SECRET, body)
    assert channel.verify_push(url="/api/webhooks/tiktokshop", headers={"Authorization": good}, body=body)
    assert not channel.verify_push(url="/api/webhooks/tiktokshop", headers={"Authorization": "0" * 64}, body=body)
    assert not channel.verify_push(url="/api/webhooks/tiktokshop", headers={"Authorization": good}, body=body + b"x")
    [event] = channel.parse_push(body)
    assert (event.kind, event.shop_id, event.external_id, event.event_id) == ("order", "77", "55", "n1")
    with pytest.raises(ChannelError):
        channel.parse_push(b"[]")


def test_webhook_retry_schedule(platform, clock):
    shop_id = platform.state.get("code", platform.consent("Toko Push"))["shop_id"]
    platform.state.put(
        "product",
        "900",
        {
            "shop_id": shop_id,
            "title": "Keripik",
            "category_id": "1",
            "listing_platforms": ["TIKTOK_SHOP", "TOKOPEDIA"],
            "status": "ACTIVATE",
            "submitted": clock(),
            "skus": [{"id": "901", "seller_sku": "S", "price": "1000", "quantity": 5}],
        },
    )
    platform.place_order(shop_id, [("900", 1)])
    tries: list[float] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        tries.append(clock())
        return httpx.Response(503)

    with FakePlatformServer(refuse) as hook:
        start = clock()
        for _ in range(600):  # walk time in 2-minute steps over 20 hours
            platform.deliver(hook.url)
            clock.advance(120)
    # First try, then +2 min, +30 min, +3 h, +12 h after each failure; then nothing.
    gaps = [round(b - a) for a, b in zip([start, *tries], tries, strict=False)][1:]
    assert gaps == [120, 1800, 3 * 3600, 12 * 3600]
    assert platform.state.all("push") == []


@pytest.mark.django_db
def test_simulator_connect_sync_stock_order_push(clock):
    received: list[httpx.Request] = []

    def webhook(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    with FakePlatformServer(webhook) as hook:
        channel = SimulatorTikTokShopChannel(
            app_key="",
            app_secret="s" * 64,
            service_id="",
            api_url="https://open-api.tiktokglobalshop.com",
            auth_url="https://auth.tiktok-shops.com",
            timeout=5,
            webhook_url=hook.url + "/api/webhooks/tiktokshop",
            now=clock,
        )
        assert channel.is_simulator and channel.platform == "tokopedia"
        url = channel.authorize_url(state="abc", redirect_uri="http://testserver/cb")
        assert url.startswith("/dashboard/marketplace/simulator/tokopedia/authorize?") and "state=abc" in url

        params = channel.simulate_consent(shop_name="Toko Simulasi")
        tokens = channel.exchange_code(code=params["code"], params=params)
        assert tokens.shop_name == "Toko Simulasi" and tokens.extra["shop_cipher"]

        [listing] = channel.upsert_listings(tokens, [item(1)])
        assert listing.ok and listing.status == "pending_review"
        [again] = channel.upsert_listings(tokens, [item(1)])  # same idempotency key, in the database too
        assert again.external_id == listing.external_id
        assert channel.update_stock(tokens, [StockUpdate(listing.external_id, listing.external_sku_id, 3)])[0].ok

        clock.advance(61)  # the simulator's audit takes 60 s
        order_id = channel.simulate_order(shop_id=tokens.shop_id, lines=[(listing.external_id, 2)], buyer_name="Budi")
        with pytest.raises(ChannelError):
            channel.simulate_order(shop_id=tokens.shop_id, lines=[(listing.external_id, 2)])
        assert channel.deliver_pushes() == 2  # the audit result and the order
        kinds = [channel.parse_push(r.content)[0] for r in received]
        assert [e.kind for e in kinds] == ["listing_status", "order"]
        for request in received:
            assert channel.verify_push(url=str(request.url), headers=dict(request.headers), body=request.content)
        event = kinds[1]
        assert event.shop_id == tokens.shop_id and event.external_id == order_id

        order = channel.get_order(tokens, event.external_id)
        assert order.buyer_name == "Budi" and order.lines[0].quantity == 2

        channel.simulate_cancel(shop_id=tokens.shop_id, external_order_id=order_id)
        assert channel.deliver_pushes() == 1
        assert channel.get_order(tokens, order_id).cancelled

    channel.simulate_order(shop_id=tokens.shop_id, lines=[(listing.external_id, 1)])
    assert channel.deliver_pushes() == 0  # nobody listening: it stays queued
    assert len(channel.sim.state.all("push")) == 1


def test_duplicate_webhooks_share_one_notification_id(clock):
    chaotic = TikTokShopPlatform(
        MemoryState("tokopedia"), app_key=APP_KEY, app_secret=APP_SECRET, now=clock, duplicate_pushes=True
    )
    shop_id = chaotic.state.get("code", chaotic.consent("Toko Ganda"))["shop_id"]
    chaotic.state.put(
        "product",
        "910",
        {
            "shop_id": shop_id,
            "title": "Keripik",
            "category_id": "1",
            "listing_platforms": ["TIKTOK_SHOP", "TOKOPEDIA"],
            "status": "ACTIVATE",
            "submitted": clock(),
            "skus": [{"id": "911", "seller_sku": "S", "price": "1000", "quantity": 5}],
        },
    )
    chaotic.place_order(shop_id, [("910", 1)])
    received: list[bytes] = []

    def ok(request: httpx.Request) -> httpx.Response:
        received.append(request.content)
        return httpx.Response(200)

    with FakePlatformServer(ok) as hook:
        assert chaotic.deliver(hook.url) == 1
    channel = TikTokShopChannel(app_key=APP_KEY, app_secret=APP_SECRET)
    assert len(received) == 2
    assert len({channel.parse_push(body)[0].event_id for body in received}) == 1
