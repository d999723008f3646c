"""The bell's socket: a seller's open page hears the unread count as soon as a paid order is
stored for her (through the whole ASGI stack, session cookie and all); strangers are refused."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from conftest import PASSWORD, make_user
from notifications.services import order_notify
from orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_layer():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def _socket(client: Client | None) -> WebsocketCommunicator:
    from tokoblitar.asgi import application

    headers = [(b"origin", b"http://localhost")]
    if client is not None:
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


async def _close_layer() -> None:
    layer = get_channel_layer()
    if hasattr(layer, "close"):
        await layer.close()


def test_seller_socket_hears_the_paid_order():
    buyer, seller = make_user("buyer"), make_user("seller")
    order = Order.objects.create(
        buyer=buyer, store=seller.store, subtotal=25_000, total=25_000, courier="jne",
        shipping_address={"name": "Siti", "district": "Sananwetan"},
    )  # fmt: skip
    client = Client()
    assert client.post("/login/", {"username": seller.email, "password": PASSWORD}).status_code == 302

    async def scenario():
        ws = _socket(client)
        connected, _ = await ws.connect(timeout=10)
        assert connected
        await sync_to_async(order_notify)(order_id=str(order.pk), status="paid")
        frame = await ws.receive_json_from(timeout=30)
        await ws.disconnect()
        await _close_layer()
        return frame

    frame = async_to_sync(scenario)()
    assert frame["type"] == "notification" and frame["unread"] == 1
    assert order.number in frame["title"] and frame["url"] == f"/dashboard/pesanan/{order.pk}/"
