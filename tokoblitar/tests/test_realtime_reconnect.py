"""A push after the database dropped the sender's pooled connection still arrives."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers, get_channel_layer
from django.db import connection

from tokoblitar.realtime import push_now, realtime_shutdown

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_layers():
    channel_layers.backends.clear()
    yield
    realtime_shutdown()
    channel_layers.backends.clear()


def test_push_survives_terminated_pooled_connections():
    push_now("warm.up", {"n": 0}, message_type="test.event")  # the sender's pool now holds a connection
    with connection.cursor() as cursor:
        # What a Postgres restart or failover does to every pooled connection.
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1

    async def scenario() -> dict:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("reconnect.test", channel)
        await sync_to_async(push_now)("reconnect.test", {"n": 1}, message_type="test.event")
        message = await asyncio.wait_for(layer.receive(channel), 10)
        await layer.group_discard("reconnect.test", channel)
        await layer.close()
        return message

    assert async_to_sync(scenario)() == {"type": "test.event", "payload": {"n": 1}}
