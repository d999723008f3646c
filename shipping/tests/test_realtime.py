"""Live tracking over Channels: the order consumer and pushes from this and another process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection

from orders.realtime import push_order_event_now
from shipping.tests.helpers import paid_order
from tokoblitar.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)
BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def areas(transactional_db):
    # Transactional tests flush tables between tests, seeded districts included.
    import importlib

    from django.apps import apps

    importlib.import_module("shipping.migrations.0002_seed_areas").seed(apps, None)


@pytest.fixture(autouse=True)
def fresh_layer():
    # Each test runs its own event loop; the default layer's pool must not outlive it.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def _socket(order, user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/orders/{order.pk}/")
    communicator.scope["user"] = user
    return communicator


async def _close_layer() -> None:
    layer = get_channel_layer()
    if hasattr(layer, "close"):
        await layer.close()


def _push_from_other_process(order_id: str, payload: str) -> None:
    script = (
        "import django, json, sys; django.setup();"
        "from django.conf import settings;"
        "settings.CHANNEL_LAYERS['default']['CONFIG']['NAME'] = sys.argv[1];"
        "from orders.realtime import push_order_event;"
        "push_order_event(sys.argv[2], json.loads(sys.argv[3]))"  # outside atomic: on_commit runs at once
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tokoblitar.settings", "PYTHONPATH": str(BASE_DIR)}
    subprocess.run(  # noqa: S603 - our own interpreter and fixed script
        [sys.executable, "-c", script, connection.settings_dict["NAME"], order_id, payload],
        check=True,
        cwd=BASE_DIR,
        env=env,
        timeout=60,
    )


def test_buyer_receives_pushes_from_this_and_another_process(buyer, seller, simulator):
    order = paid_order(buyer=buyer, store=seller.store)

    async def scenario():
        ws = _socket(order, buyer)
        connected, _ = await ws.connect(timeout=10)
        assert connected
        await sync_to_async(push_order_event_now)(order.pk, {"kind": "shipment", "status": "shipped"})
        first = await ws.receive_json_from(timeout=30)
        await sync_to_async(_push_from_other_process)(str(order.pk), '{"kind": "status", "status": "delivered"}')
        second = await ws.receive_json_from(timeout=30)
        await ws.send_json_to({"type": "ping"})
        pong = await ws.receive_json_from(timeout=15)
        assert await ws.receive_nothing(timeout=0.5)  # each push arrives exactly once
        await ws.disconnect()
        await _close_layer()
        return first, second, pong

    first, second, pong = async_to_sync(scenario)()
    assert first == {"kind": "shipment", "status": "shipped", "type": "shipment"}
    assert second == {"kind": "status", "status": "delivered", "type": "status"}
    assert pong == {"type": "pong"}


def test_only_buyer_and_seller_may_listen(buyer, seller, other_seller, simulator):
    from conftest import make_user

    order = paid_order(buyer=buyer, store=seller.store)
    stranger = make_user("buyer")

    async def scenario():
        results = {}
        for name, user in (("seller", seller), ("other_seller", other_seller), ("stranger", stranger)):
            ws = _socket(order, user)
            connected, code = await ws.connect(timeout=10)
            results[name] = (connected, code)
            if connected:
                await ws.disconnect()
        from django.contrib.auth.models import AnonymousUser

        ws = _socket(order, AnonymousUser())
        results["anonymous"] = await ws.connect(timeout=10)
        await _close_layer()
        return results

    results = async_to_sync(scenario)()
    assert results["seller"][0] is True
    assert results["other_seller"] == (False, 4403)
    assert results["stranger"] == (False, 4403)
    assert results["anonymous"] == (False, 4401)


def test_session_cookie_auth_through_the_asgi_stack(client, buyer, seller, simulator):
    from tokoblitar.asgi import application

    order = paid_order(buyer=buyer, store=seller.store)
    client.force_login(buyer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    async def scenario():
        ws = WebsocketCommunicator(
            application,
            f"/ws/orders/{order.pk}/",
            headers=[(b"origin", b"http://localhost"), (b"cookie", cookie.encode())],
        )
        connected, _ = await ws.connect(timeout=10)
        if connected:
            await ws.disconnect()
        await _close_layer()
        return connected

    assert async_to_sync(scenario)() is True


def test_events_arrive_once_and_in_order_for_two_watchers(buyer, seller, simulator):
    order = paid_order(buyer=buyer, store=seller.store)

    async def scenario():
        buyer_ws, seller_ws = _socket(order, buyer), _socket(order, seller)
        assert (await buyer_ws.connect(timeout=10))[0] and (await seller_ws.connect(timeout=10))[0]
        for i in range(5):
            await sync_to_async(push_order_event_now)(order.pk, {"kind": "status", "i": i})
        seen = {}
        for name, ws in (("buyer", buyer_ws), ("seller", seller_ws)):
            seen[name] = [(await ws.receive_json_from(timeout=30))["i"] for _ in range(5)]
            assert await ws.receive_nothing(timeout=0.5)
            await ws.disconnect()
        await _close_layer()
        return seen

    assert async_to_sync(scenario)() == {"buyer": [0, 1, 2, 3, 4], "seller": [0, 1, 2, 3, 4]}


def test_webhook_event_is_pushed_to_the_tracking_socket(buyer, seller, simulator):
    from rest_framework.test import APIClient

    from orders.tests.factories import active_shipping_token
    from shipping.tasks import shipment_book

    order = paid_order(buyer=buyer, store=seller.store)
    shipment_book.call(order_id=str(order.pk))

    def callback():
        return (
            APIClient()
            .post(
                "/api/webhooks/kiriminaja",
                {
                    "method": "shipped_packages",
                    "data": [{"order_id": order.number, "awb": "JD77", "shipped_at": "2026-11-23 15:00:00"}],
                },
                format="json",
                HTTP_AUTHORIZATION=f"Bearer {active_shipping_token()}",
            )
            .status_code
        )

    async def scenario():
        ws = _socket(order, buyer)
        assert (await ws.connect(timeout=10))[0]
        status = await sync_to_async(callback)()
        messages = [await ws.receive_json_from(timeout=30) for _ in range(2)]
        await ws.disconnect()
        await _close_layer()
        return status, messages

    status, messages = async_to_sync(scenario)()
    assert status == 200
    by_type = {m["type"]: m for m in messages}
    assert by_type["status"]["status"] == "shipped"
    assert by_type["shipment"]["shipment"]["status"] == "shipped"
    assert by_type["shipment"]["shipment"]["awb"] == "JD77"
    assert by_type["shipment"]["event"]["description"] == "Paket dalam perjalanan"


def test_listener_reconnects_after_losing_its_connection(buyer, seller, simulator):
    import asyncio

    order = paid_order(buyer=buyer, store=seller.store)

    def kill_listener() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND query LIKE 'LISTEN channels_postgres%%'"
            )
            return len(cursor.fetchall())

    async def scenario():
        ws = _socket(order, buyer)
        assert (await ws.connect(timeout=10))[0]
        killed = await sync_to_async(kill_listener)()
        await asyncio.sleep(2.5)  # the listener notices, waits a second, reconnects
        await sync_to_async(push_order_event_now)(order.pk, {"kind": "status", "status": "after-reconnect"})
        got = await ws.receive_json_from(timeout=30)
        await ws.disconnect()
        await _close_layer()
        return killed, got

    killed, got = async_to_sync(scenario)()
    assert killed == 1
    assert got["status"] == "after-reconnect"
