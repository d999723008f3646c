"""An incoming message reaches the store's inbox group live (after commit, over the real layer)."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers, get_channel_layer
from django.utils import timezone

from whatsapp.models import WhatsAppSession
from whatsapp.services import inbox_group
from whatsapp.tests.test_webhooks import inbound, waha_post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_layer():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def test_incoming_message_is_pushed_to_the_store_inbox_once(settings, seller, other_seller):
    WhatsAppSession.objects.create(store=seller.store, name="tb-test", provider="simulator", state="WORKING")

    async def scenario():
        layer = get_channel_layer()
        mine, theirs = await layer.new_channel(), await layer.new_channel()
        await layer.group_add(inbox_group(seller.store.pk), mine)
        await layer.group_add(inbox_group(other_seller.store.pk), theirs)
        event = inbound()
        await sync_to_async(waha_post)(settings, event)
        await sync_to_async(waha_post)(settings, event)  # a retry: stored once, pushed once
        first = await asyncio.wait_for(layer.receive(mine), 30)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(layer.receive(mine), 1.5)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(layer.receive(theirs), 0.5)
        await layer.group_discard(inbox_group(seller.store.pk), mine)
        await layer.group_discard(inbox_group(other_seller.store.pk), theirs)
        if hasattr(layer, "close"):
            await layer.close()
        return first

    first = async_to_sync(scenario)()
    assert first["type"] == "whatsapp.event"
    payload = first["payload"]
    assert payload["kind"] == "message" and payload["message"]["body"] == "Kak, masih ada?"
    assert payload["chat"]["unread_count"] == 1 and payload["chat"]["is_unread"] is True


def test_simulator_delivers_signed_events_over_http_to_the_real_webhook(settings, live_server, seller):
    from conftest import client_for
    from whatsapp.gateways import get_whatsapp_gateway
    from whatsapp.models import Message, SimulatedWahaEvent
    from whatsapp.services import simulator_pump
    from whatsapp.tests.conftest import inbox_on

    settings.SITE_URL = live_server.url
    inbox_on(seller)
    client = client_for(seller)
    session = client.post("/api/session/create", {}, format="json").json()["session"]
    gateway = get_whatsapp_gateway()
    gateway.elapse(session["name"], 2)
    value = client.get(f"/api/qr?sessionId={session['id']}").json()["qr"]
    gateway.scan(session["name"], value)
    gateway.buyer_write(session["name"], "Kak, ongkir ke Wlingi berapa?")
    assert simulator_pump() >= 4  # STARTING, SCAN_QR_CODE, WORKING, the buyer's message
    assert not SimulatedWahaEvent.objects.filter(delivered_at__isnull=True, due_at__lte=timezone.now()).exists()
    assert WhatsAppSession.objects.get().state == "WORKING"
    assert Message.objects.get().body == "Kak, ongkir ke Wlingi berapa?"


def test_inbox_socket_is_the_sellers_own_and_receives_her_store_live(settings, seller, other_seller, buyer):
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator
    from django.contrib.auth.models import AnonymousUser

    from tokoblitar.routing import websocket_urlpatterns
    from whatsapp.tests.conftest import inbox_on

    inbox_on(seller)
    WhatsAppSession.objects.create(store=seller.store, name="tb-test", provider="simulator", state="WORKING")

    def socket(user):
        ws = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/whatsapp/inbox/")
        ws.scope["user"] = user
        return ws

    async def scenario():
        refused = {}
        for name, user in (("anonymous", AnonymousUser()), ("buyer", buyer), ("inbox_off", other_seller)):
            refused[name] = await socket(user).connect(timeout=10)
        ws = socket(seller)
        connected, _ = await ws.connect(timeout=10)
        assert connected
        await sync_to_async(waha_post)(settings, inbound())
        pushed = await ws.receive_json_from(timeout=30)
        await ws.disconnect()
        layer = get_channel_layer()
        if hasattr(layer, "close"):
            await layer.close()
        return refused, pushed

    refused, pushed = async_to_sync(scenario)()
    assert refused == {"anonymous": (False, 4401), "buyer": (False, 4403), "inbox_off": (False, 4403)}
    assert pushed["kind"] == "message" and pushed["chat"]["unread_count"] == 1
