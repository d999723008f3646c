"""The order socket lives only as long as the sign-in it was opened under (issue 9 item 13).

Sockets go through the whole ASGI application (origin check, session cookie, routing), as a
browser's do; logout and password changes go through the real pages and services."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from conftest import PASSWORD, make_user
from orders.models import Order
from orders.realtime import push_order_event_now

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_layer():
    # Each test runs its own event loop; the default layer's pool must not outlive it.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def order(db) -> Order:
    buyer, seller = make_user("buyer"), make_user("seller")
    return Order.objects.create(
        buyer=buyer,
        store=seller.store,
        subtotal=10_000,
        total=10_000,
        courier="jne",
        shipping_address={"name": "Siti", "district": "Sananwetan"},
    )


def _signed_in_client(user) -> Client:
    client = Client()
    assert client.post("/login/", {"username": user.email, "password": PASSWORD}).status_code == 302
    return client


def _socket(path: str, client: Client | None = None) -> WebsocketCommunicator:
    from tokoblitar.asgi import application

    headers = [(b"origin", b"http://localhost")]
    if client is not None:
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def _close_layer() -> None:
    layer = get_channel_layer()
    if hasattr(layer, "close"):
        await layer.close()


async def _connect(order: Order, client: Client) -> WebsocketCommunicator:
    ws = _socket(f"/ws/orders/{order.pk}/", client)
    connected, _ = await ws.connect(timeout=10)
    assert connected
    # Still delivers while signed in.
    await sync_to_async(push_order_event_now)(order.pk, {"kind": "status", "status": "paid"})
    assert (await ws.receive_json_from(timeout=30))["status"] == "paid"
    return ws


async def _closed_code(ws: WebsocketCommunicator) -> int | None:
    message = await ws.receive_output(timeout=30)
    assert message["type"] == "websocket.close", message
    return message.get("code")


async def _data_frames(ws: WebsocketCommunicator, seconds: float = 1.0) -> list[dict]:
    """Frames sent to the client within `seconds` (a repeated close is not data)."""
    frames = []
    while not await ws.receive_nothing(timeout=seconds):
        message = await ws.receive_output(timeout=1)
        if message["type"] == "websocket.send":
            frames.append(message)
    return frames


def test_logout_closes_the_sessions_socket_and_nothing_more_arrives(order):
    client = _signed_in_client(order.buyer)

    async def scenario():
        ws = await _connect(order, client)
        status = (await sync_to_async(client.post)("/logout/")).status_code
        code = await _closed_code(ws)
        await sync_to_async(push_order_event_now)(order.pk, {"kind": "status", "status": "shipped"})
        frames = await _data_frames(ws)
        await ws.disconnect()
        await _close_layer()
        return status, code, frames

    status, code, frames = async_to_sync(scenario)()
    assert status == 302
    assert code == 4401
    assert frames == []


def test_logout_of_one_session_leaves_the_users_other_session_open(order):
    laptop, phone = _signed_in_client(order.buyer), _signed_in_client(order.buyer)

    async def scenario():
        laptop_ws = await _connect(order, laptop)
        phone_ws = await _connect(order, phone)
        await laptop_ws.receive_json_from(timeout=30)  # the push _connect sent for the phone
        await sync_to_async(phone.post)("/logout/")
        phone_code = await _closed_code(phone_ws)
        await sync_to_async(push_order_event_now)(order.pk, {"kind": "status", "status": "shipped"})
        laptop_event = await laptop_ws.receive_json_from(timeout=30)
        await laptop_ws.disconnect()
        await phone_ws.disconnect()
        await _close_layer()
        return phone_code, laptop_event

    phone_code, laptop_event = async_to_sync(scenario)()
    assert phone_code == 4401
    assert laptop_event["status"] == "shipped"


def test_password_change_closes_every_socket_of_the_user(order):
    client = _signed_in_client(order.buyer)

    def change_password() -> None:
        user = type(order.buyer).objects.get(pk=order.buyer.pk)
        user.set_password("Sandi-Baru-Sekali-456")
        user.save()

    async def scenario():
        ws = await _connect(order, client)
        await sync_to_async(change_password)()
        code = await _closed_code(ws)
        await ws.disconnect()
        await _close_layer()
        return code

    assert async_to_sync(scenario)() == 4401


def test_a_session_ended_without_logout_gets_no_more_pushes(order):
    # e.g. deleted by `clearsessions` or an admin, or ended in a process whose close message was lost.
    client = _signed_in_client(order.buyer)

    async def scenario():
        ws = await _connect(order, client)
        await sync_to_async(Session.objects.all().delete)()
        await sync_to_async(push_order_event_now)(order.pk, {"kind": "status", "status": "shipped"})
        code = await _closed_code(ws)
        await ws.disconnect()
        await _close_layer()
        return code

    assert async_to_sync(scenario)() == 4401


@pytest.mark.parametrize("path", ["/ws/orders/not-a-uuid/", "/ws/orders/", "/ws/nope/"])
def test_unknown_socket_paths_close_cleanly(path, order):
    client = _signed_in_client(order.buyer)

    async def scenario():
        ws = _socket(path, client)
        result = await ws.connect(timeout=10)
        await _close_layer()
        return result

    assert async_to_sync(scenario)() == (False, 4404)
