"""Lazada: the live client against LazadaPlatform served on 127.0.0.1, each rule of
providers-2.md section 4 answered with Lazada's own error envelope, and the simulator channel
(DbState) end to end. Time moves through an injected clock, never by sleeping (except the one
slow-ack test, which must really be slow)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from marketplace.channels.base import ChannelError, ListingInput, StockUpdate
from marketplace.channels.fakeserver import FakePlatformServer
from marketplace.channels.lazada import (
    LazadaChannel,
    LazadaPlatform,
    SimulatorLazadaChannel,
    lazada_sign,
    push_signature,
)
from marketplace.channels.simstate import MemoryState

APP_KEY = "123456"
APP_SECRET = "lazada-test-secret"
DAY = 86400


class Clock:
    """Epoch seconds that a test moves by hand."""

    def __init__(self) -> None:
        self.t = time.time()

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def item(n: int, **over) -> ListingInput:
    data = {
        "product_id": str(n),
        "sku": f"SKU-{n}",
        "name": f"Sambal Bu Rudy {n}",
        "description": "Sambal bawang 150 g",
        "price": 35000,
        "stock": 10,
        "weight_grams": 250,
        "image_urls": [f"https://toko.example/img/{n}.jpg"],
        "category_id": "10002",
    }
    data.update(over)
    return ListingInput(**data)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def platform(clock):
    return LazadaPlatform(MemoryState("lazada"), app_key=APP_KEY, app_secret=APP_SECRET, now=clock, qc_seconds=3600)


@pytest.fixture
def server(platform):
    with FakePlatformServer(platform) as running:
        yield running


def client(server, clock, **over) -> LazadaChannel:
    options = {
        "app_key": APP_KEY,
        "app_secret": APP_SECRET,
        "api_url": server.url + "/rest",
        "auth_url": server.url + "/rest",
        "timeout": 5,
        "now": clock,
    }
    options.update(over)
    return LazadaChannel(**options)


def connect(platform, channel, shop_name="Toko Sambal"):
    return channel.exchange_code(code=platform.consent(shop_name), params={})


def test_official_signature_vector():
    """open.lazada.com docId 108068: secret helloworld over /order/get + sorted params."""
    params = {
        "access_token": "test",
        "app_key": "123456",
        "order_id": "1234",
        "sign_method": "sha256",
        "timestamp": "1517820392000",
        "sign": "ignored",
    }
    assert lazada_sign("helloworld", "/order/get", params) == (
        "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"
    )


def test_connect_list_stock_and_orders_against_the_fake_server(server, platform, clock):
    channel = client(server, clock)
    url = channel.authorize_url(state="st4te", redirect_uri="https://toko.example/cb")
    assert url.startswith(server.url + "/oauth/authorize?")  # auth_url minus /rest
    assert "client_id=123456" in url and "state=st4te" in url and "force_auth=true" in url

    tokens = connect(platform, channel)
    assert tokens.shop_name == "Toko Sambal"
    assert tokens.shop_id and tokens.refreshable
    now = datetime.fromtimestamp(clock(), UTC)
    assert tokens.access_expires_at - now == timedelta(days=7)  # test app: 7 d / 30 d
    assert tokens.refresh_expires_at - now == timedelta(days=30)
    # The request was signed and carried the system params in the query string.
    create_call = server.requests[0]
    assert create_call.url.path == "/rest/auth/token/create"
    assert create_call.url.params["sign_method"] == "sha256"

    created = channel.upsert_listings(tokens, [item(1), item(2)])
    assert [r.ok for r in created] == [True, True]
    assert all(r.status == "pending_review" for r in created)  # QC
    assert created[0].external_sku_id == "SKU-1"
    stored = platform.state.get("item", created[0].external_id)
    assert stored["status"] == "pending"
    assert stored["skus"][0]["price"] == 35000
    payload = json.loads(dict(httpx.QueryParams(server.requests[-1].content.decode()))["payload"])
    assert payload["Request"]["Product"]["Skus"]["Sku"][0]["package_weight"] == "0.250"  # kilograms

    updated = channel.upsert_listings(tokens, [item(1, external_id=created[0].external_id, name="Sambal Baru")])
    assert updated[0].ok and updated[0].external_id == created[0].external_id
    assert platform.state.get("item", created[0].external_id)["name"] == "Sambal Baru"

    # Stock goes as XML; one unknown SKU is a per-SKU failure, the other is applied.
    results = channel.update_stock(
        tokens,
        [StockUpdate(created[0].external_id, "SKU-1", 4), StockUpdate("999", "SKU-NOPE", 1)],
    )
    assert [(r.ok, r.error_code) for r in results] == [(True, ""), (False, "501")]
    assert "SELLER_SKU_NOT_FOUND" in results[1].error_message
    assert dict(httpx.QueryParams(server.requests[-1].content.decode()))["payload"].startswith("<Request>")
    assert platform.state.get("item", created[0].external_id)["skus"][0]["quantity"] == 4

    # A pending item cannot be bought; after QC it can.
    with pytest.raises(ChannelError):
        platform.place_order(tokens.shop_id, [(created[0].external_id, 1)])
    clock.advance(3601)
    since = datetime.fromtimestamp(clock() - 5, UTC)
    order_id = platform.place_order(tokens.shop_id, [(created[0].external_id, 2)], buyer_name="Siti")
    assert platform.state.get("item", created[0].external_id)["skus"][0]["quantity"] == 2

    orders = channel.fetch_orders(tokens, since=since)
    assert [o.external_order_id for o in orders] == [order_id]
    order = channel.get_order(tokens, order_id)
    assert order.buyer_name == "Siti" and order.total == 70000 and not order.cancelled
    assert [(line.external_id, line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        (created[0].external_id, "SKU-1", 2, 35000)
    ]
    platform.cancel_order(tokens.shop_id, order_id)
    assert channel.get_order(tokens, order_id).cancelled
    assert platform.state.get("item", created[0].external_id)["skus"][0]["quantity"] == 4


def test_code_is_single_use_and_lives_30_minutes(server, platform, clock):
    channel = client(server, clock)
    code = platform.consent("Toko A")
    channel.exchange_code(code=code, params={})
    with pytest.raises(ChannelError) as reused:
        channel.exchange_code(code=code, params={})
    assert reused.value.platform_code == "InvalidCode"
    late = platform.consent("Toko A")
    clock.advance(30 * 60 + 1)
    with pytest.raises(ChannelError) as expired:
        channel.exchange_code(code=late, params={})
    assert expired.value.platform_code == "InvalidCode"


def test_wrong_signature_is_refused_with_lazadas_envelope(server, platform, clock):
    channel = client(server, clock, app_secret="not-the-secret")
    with pytest.raises(ChannelError) as refused:
        connect(platform, channel)
    assert refused.value.platform_code == "IncompleteSignature"
    assert not refused.value.retryable
    body = json.loads(
        httpx.get(f"{server.url}/rest/seller/get?app_key={APP_KEY}&timestamp=1&sign_method=sha256&sign=X").text
    )
    assert set(body) >= {"code", "type", "message", "request_id"}


def test_timestamp_more_than_7200_seconds_off_is_refused(server, platform, clock):
    code = platform.consent("Toko B")
    skewed = Clock()
    skewed.t = clock() - 7201
    with pytest.raises(ChannelError) as refused:
        client(server, skewed).exchange_code(code=code, params={})
    assert refused.value.platform_code == "InvalidTimestamp"
    # Inside the window (7199 s off) the same code still works: the refused call did not use it.
    skewed.t = clock() - 7199
    assert client(server, skewed).exchange_code(code=code, params={}).access_token


def test_token_expiry_and_refresh_resets_only_the_access_clock(server, platform, clock):
    channel = client(server, clock)
    tokens = connect(platform, channel)
    clock.advance(7 * DAY + 1)
    with pytest.raises(ChannelError) as expired:
        channel.upsert_listings(tokens, [item(1)])
    assert expired.value.platform_code == "IllegalAccessToken" and expired.value.auth_failed

    fresh = channel.refresh(tokens)
    assert fresh.access_expires_at == datetime.fromtimestamp(clock() + 7 * DAY, UTC)
    assert fresh.refresh_expires_at == tokens.refresh_expires_at  # the refresh deadline stays
    assert fresh.shop_id == tokens.shop_id and fresh.shop_name == tokens.shop_name
    assert channel.upsert_listings(fresh, [item(1)])[0].ok

    clock.advance(23 * DAY)  # 30 days after consent
    with pytest.raises(ChannelError) as dead:
        channel.refresh(fresh)
    assert dead.value.platform_code == "IllegalRefreshToken" and dead.value.auth_failed


def test_online_app_lifetimes(clock):
    online = LazadaPlatform(MemoryState("lazada"), app_key=APP_KEY, app_secret=APP_SECRET, now=clock, app_mode="online")
    with FakePlatformServer(online) as running:
        tokens = connect(online, client(running, clock))
    now = datetime.fromtimestamp(clock(), UTC)
    assert tokens.access_expires_at - now == timedelta(days=30)
    assert tokens.refresh_expires_at - now == timedelta(days=180)


def test_e901_throttling_is_retryable_with_a_wait(clock):
    slow = LazadaPlatform(MemoryState("lazada"), app_key=APP_KEY, app_secret=APP_SECRET, now=clock, qps=2)
    with FakePlatformServer(slow) as running:
        channel = client(running, clock)
        tokens = connect(slow, channel)  # /auth/token/create and /seller/get: one call each
        channel.update_stock(tokens, [StockUpdate("1", "SKU-X", 1)])
        channel.update_stock(tokens, [StockUpdate("1", "SKU-X", 1)])
        with pytest.raises(ChannelError) as throttled:
            channel.update_stock(tokens, [StockUpdate("1", "SKU-X", 1)])
        assert throttled.value.platform_code == "E901"
        assert throttled.value.retryable and throttled.value.retry_after == 1.0
        assert throttled.value.code == "marketplace_throttled"

        # Throttled part-way through a sync: what went through stays, the rest is retryable.
        first = channel.upsert_listings(tokens, [item(1), item(2), item(3)])
        assert [(r.ok, r.retryable) for r in first] == [(True, False), (True, False), (False, True)]
        assert first[2].error_code == "E901"
        clock.advance(1)
        assert channel.update_stock(tokens, [StockUpdate("1", "SKU-1", 3)])[0].ok


def test_product_level_refusal_is_a_result_not_an_exception(server, platform, clock):
    channel = client(server, clock)
    tokens = connect(platform, channel)
    results = channel.upsert_listings(tokens, [item(1, price=0), item(2), item(2, product_id="3")])
    assert [(r.ok, r.error_code) for r in results] == [(False, "4118"), (True, ""), (False, "4105")]


def test_price_quantity_xml_limits_and_safe_parsing(server, platform, clock):
    channel = client(server, clock)
    tokens = connect(platform, channel)
    created = channel.upsert_listings(tokens, [item(n) for n in range(1, 4)])
    # 45 updates go in batches of 20 (Lazada's recommendation).
    before = len(server.requests)
    updates = [StockUpdate(created[n % 3].external_id, f"SKU-{n % 3 + 1}", n) for n in range(45)]
    assert all(r.ok for r in channel.update_stock(tokens, updates))
    assert len(server.requests) - before == 3

    skus = "".join(f"<Sku><SellerSku>SKU-1</SellerSku><Quantity>{n}</Quantity></Sku>" for n in range(51))
    with pytest.raises(ChannelError) as too_many:
        channel._call(
            channel.api_url,
            "/product/price_quantity/update",
            {"payload": f"<Request><Product><Skus>{skus}</Skus></Product></Request>"},
            access_token=tokens.access_token,
        )
    assert too_many.value.platform_code == "4171"

    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<Request><Product><Skus><Sku><SellerSku>&b;</SellerSku><Quantity>1</Quantity></Sku></Skus></Product></Request>"
    )
    with pytest.raises(ChannelError) as refused:
        channel._call(
            channel.api_url, "/product/price_quantity/update", {"payload": bomb}, access_token=tokens.access_token
        )
    assert refused.value.platform_code == "5"


def test_verify_push_and_parse_push():
    channel = LazadaChannel(app_key=APP_KEY, app_secret=APP_SECRET)
    body = json.dumps(
        {
            "seller_id": "1001",
            "message_type": 0,
            "data": {"order_status": "pending", "trade_order_id": "77", "trade_order_line_id": "78"},
            "timestamp": 1,
            "site": "lazada_id",
        }
    ).encode()
    good = push_signature(APP_KEY, APP_SECRET, body)
    assert channel.verify_push(url="/api/webhooks/lazada", headers={"Authorization": good}, body=body)
    assert not channel.verify_push(url="/api/webhooks/lazada", headers={"Authorization": "0" * 64}, body=body)
    assert not channel.verify_push(url="/api/webhooks/lazada", headers={"Authorization": good}, body=body + b" ")
    assert not channel.verify_push(url="/api/webhooks/lazada", headers={}, body=body)
    [event] = channel.parse_push(body)
    assert (event.kind, event.shop_id, event.external_id, event.event_id) == ("order", "1001", "77", "77:78:pending")
    with pytest.raises(ChannelError):
        channel.parse_push(b"not json")


def test_push_retry_every_30_minutes_at_most_12_times(platform, clock):
    seller_code = platform.consent("Toko Push")
    seller_id = platform.state.get("code", seller_code)["seller_id"]
    platform.state.put(
        "item",
        "555",
        {
            "seller_id": seller_id,
            "name": "Sambal",
            "category": "1",
            "status": "active",
            "created": clock(),
            "skus": [{"SellerSku": "S", "SkuId": "9", "price": 1000.0, "quantity": 5}],
        },
    )
    platform.place_order(seller_id, [("555", 1)])
    received = []

    def refuse(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(500)

    with FakePlatformServer(refuse) as hook:
        assert platform.deliver(hook.url) == 0
        [(_, push)] = platform.state.all("push")
        assert push["attempts"] == 1 and push["next_at"] == clock() + 1800
        assert platform.deliver(hook.url) == 0 and len(received) == 1  # not due yet
        for _ in range(12):
            clock.advance(1800)
            platform.deliver(hook.url)
        assert len(received) == 13 and platform.state.all("push") == []  # 1 + 12 retries, then dropped
    signed = received[0]
    assert signed.headers["authorization"] == push_signature(APP_KEY, APP_SECRET, signed.content)


def test_push_acked_late_is_not_acked(platform, clock):
    seller_id = platform.state.get("code", platform.consent("Toko Lambat"))["seller_id"]
    platform.state.put(
        "item",
        "556",
        {
            "seller_id": seller_id,
            "name": "Sambal",
            "category": "1",
            "status": "active",
            "created": clock(),
            "skus": [{"SellerSku": "S", "SkuId": "9", "price": 1000.0, "quantity": 5}],
        },
    )
    platform.place_order(seller_id, [("556", 1)])

    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(0.7)  # Lazada waits 500 ms for the 200
        return httpx.Response(200)

    with FakePlatformServer(slow) as hook:
        assert platform.deliver(hook.url) == 0
    assert platform.state.all("push")[0][1]["attempts"] == 1


@pytest.mark.django_db
def test_simulator_connect_sync_stock_order_push(clock):
    received: list[httpx.Request] = []

    def webhook(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200)

    with FakePlatformServer(webhook) as hook:
        channel = SimulatorLazadaChannel(
            app_key="",
            app_secret="s" * 64,
            api_url="https://api.lazada.co.id/rest",
            auth_url="https://auth.lazada.com/rest",
            timeout=5,
            webhook_url=hook.url + "/api/webhooks/lazada",
            now=clock,
        )
        assert channel.is_simulator and channel.platform == "lazada"
        url = channel.authorize_url(state="abc", redirect_uri="http://testserver/cb")
        assert url.startswith("/dashboard/marketplace/simulator/lazada/authorize?")
        assert "state=abc" in url and "redirect_uri=http%3A%2F%2Ftestserver%2Fcb" in url

        params = channel.simulate_consent(shop_name="Toko Simulasi")
        tokens = channel.exchange_code(code=params["code"], params=params)
        assert tokens.shop_name == "Toko Simulasi"
        with pytest.raises(ChannelError):  # single-use in the database too
            channel.exchange_code(code=params["code"], params=params)

        [listing] = channel.upsert_listings(tokens, [item(1)])
        assert listing.ok and listing.status == "pending_review"
        assert channel.update_stock(tokens, [StockUpdate(listing.external_id, listing.external_sku_id, 3)])[0].ok

        clock.advance(61)  # the simulator's QC takes 60 s
        order_id = channel.simulate_order(shop_id=tokens.shop_id, lines=[(listing.external_id, 2)], buyer_name="Budi")
        with pytest.raises(ChannelError):  # only 1 left on the platform
            channel.simulate_order(shop_id=tokens.shop_id, lines=[(listing.external_id, 2)])
        assert channel.deliver_pushes() == 2  # one push per order line (one line per unit)
        assert channel.deliver_pushes() == 0

        body = received[0].content
        assert channel.verify_push(url=str(received[0].url), headers=dict(received[0].headers), body=body)
        [event] = channel.parse_push(body)
        assert event.kind == "order" and event.shop_id == tokens.shop_id and event.external_id == order_id

        order = channel.get_order(tokens, event.external_id)
        assert order.buyer_name == "Budi" and order.lines[0].quantity == 2 and order.status == "pending"

        channel.simulate_cancel(shop_id=tokens.shop_id, external_order_id=order_id)
        assert channel.deliver_pushes() == 2
        assert channel.get_order(tokens, order_id).cancelled

    # Undelivered pushes stay queued: the webhook is gone now.
    channel.simulate_order(shop_id=tokens.shop_id, lines=[(listing.external_id, 1)])
    assert channel.deliver_pushes() == 0
    assert len(channel.sim.state.all("push")) == 1


def test_refresh_expires_in_zero_means_not_refreshable(clock):
    fixed = LazadaPlatform(MemoryState("lazada"), app_key=APP_KEY, app_secret=APP_SECRET, now=clock, refreshable=False)
    with FakePlatformServer(fixed) as running:
        channel = client(running, clock)
        tokens = connect(fixed, channel)
        assert not tokens.refreshable and tokens.refresh_expires_at is None
        with pytest.raises(ChannelError) as refused:
            channel.refresh(tokens)
        assert refused.value.auth_failed
        calls = len(running.requests)
        # Even when asked anyway, Lazada refuses that refresh token.
        with pytest.raises(ChannelError) as direct:
            channel._call(channel.auth_url, "/auth/token/refresh", {"refresh_token": tokens.refresh_token})
        assert direct.value.platform_code == "IllegalRefreshToken"
        assert len(running.requests) == calls + 1


def test_duplicate_pushes_share_one_event_id(clock):
    chaotic = LazadaPlatform(
        MemoryState("lazada"), app_key=APP_KEY, app_secret=APP_SECRET, now=clock, duplicate_pushes=True
    )
    seller_id = chaotic.state.get("code", chaotic.consent("Toko Ganda"))["seller_id"]
    chaotic.state.put(
        "item",
        "557",
        {
            "seller_id": seller_id,
            "name": "Sambal",
            "category": "1",
            "status": "active",
            "created": clock(),
            "skus": [{"SellerSku": "S", "SkuId": "9", "price": 1000.0, "quantity": 5}],
        },
    )
    chaotic.place_order(seller_id, [("557", 1)])
    received: list[bytes] = []

    def ok(request: httpx.Request) -> httpx.Response:
        received.append(request.content)
        return httpx.Response(200)

    with FakePlatformServer(ok) as hook:
        assert chaotic.deliver(hook.url) == 1
    channel = LazadaChannel(app_key=APP_KEY, app_secret=APP_SECRET)
    assert len(received) == 2
    assert {channel.parse_push(body)[0].event_id for body in received} == {channel.parse_push(received[0])[0].event_id}
