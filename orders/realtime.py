"""Realtime order events: Channels group `order.<id>`, pushed after commit through the
kernel's sender. Consumers (orders.consumers) receive `{"type": "order.event", "payload": {...}}`."""

from __future__ import annotations

from typing import Any

from tokoblitar.realtime import push, push_now

ORDER_EVENT = "order.event"


def order_group(order_id: Any) -> str:
    return f"order.{order_id}"


def push_order_event_now(order_id: Any, payload: dict) -> None:
    """Send at once (no transaction involved); raises if the channel layer fails."""
    push_now(order_group(order_id), payload, message_type=ORDER_EVENT)


def push_order_event(order_id: Any, payload: dict) -> None:
    """Queue `payload` for everyone watching the order, after commit.

    Payloads carry `kind`: "status" | "payment" | "shipment" | "created"."""
    push(order_group(order_id), payload, message_type=ORDER_EVENT)
