"""Realtime pushes to Channels groups, sent only after the transaction commits.

`push(group, payload)` is usable by any app; apps own their group names and consumers
(orders: `order.<id>` with `{"type": "order.event", ...}`). A rolled-back change must never
reach a browser, and a push that fails (channel layer down) must never undo a committed
change, so sending is best effort after commit.

Sync code (web views in threads, the task worker, management commands) sends through one
long-lived event loop thread per process with its own channel-layer instance: the layer's
connection pool then always lives in one loop, and nothing waits longer than PUSH_TIMEOUT.
Consumers receive `{"type": <message type>, "payload": {...}}`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

PUSH_TIMEOUT = 5.0


class _Sender:
    """A daemon thread running an event loop that owns one channel-layer instance."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._layer: Any = None
        self._config_key: str | None = None

    def _start(self) -> None:
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="realtime-sender", daemon=True).start()
        self._loop = loop

    def _ensure(self) -> tuple[asyncio.AbstractEventLoop, Any] | None:
        config = getattr(settings, "CHANNEL_LAYERS", {}).get(DEFAULT_CHANNEL_LAYER)
        if not config:
            return None
        key = repr(config)
        with self._lock:
            if self._loop is None:
                self._start()
            if self._layer is None or key != self._config_key:
                # Settings changed (tests point the layer at their database): a fresh instance.
                self._layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
                self._config_key = key
            return self._loop, self._layer

    def group_send(self, group: str, message: dict) -> None:
        ready = self._ensure()
        if ready is None:
            return
        loop, layer = ready
        future = asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)
        future.result(timeout=PUSH_TIMEOUT)

    def close(self) -> None:
        """Close the sender's connections (test teardown, graceful shutdown)."""
        with self._lock:
            loop, layer = self._loop, self._layer
            self._layer = None
            self._config_key = None
        if loop is not None and layer is not None and hasattr(layer, "close"):
            try:
                asyncio.run_coroutine_threadsafe(layer.close(), loop).result(timeout=PUSH_TIMEOUT)
            except Exception:  # noqa: BLE001 - shutting down anyway
                logger.warning("Closing the realtime sender failed", exc_info=True)


_sender = _Sender()


def realtime_shutdown() -> None:
    _sender.close()


def push_now(group: str, payload: dict, *, message_type: str) -> None:
    """Send at once (no transaction involved); raises if the channel layer fails."""
    _sender.group_send(group, {"type": message_type, "payload": payload})


def push(group: str, payload: dict, *, message_type: str) -> None:
    """Queue `payload` for the consumers of `group` after the current transaction commits.

    `message_type` names the consumer handler ("order.event" -> `order_event`). Best effort:
    a failed push is logged, never raised into committed work."""

    def send() -> None:
        try:
            push_now(group, payload, message_type=message_type)
        except Exception:  # noqa: BLE001 - the change is committed; a lost push is only a missed live update
            logger.exception("Realtime push to %s failed", group)

    transaction.on_commit(send)
