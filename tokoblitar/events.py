"""Domain events, delivered after the transaction commits.

    publish("order.paid", order_id=str(order.pk))

runs every subscriber of "order.paid" once the surrounding transaction commits (at once
outside a transaction); a rolled-back change publishes nothing. Payloads are JSON-only (ids
as strings), so a subscriber can hand them straight to a task; in tests
(`EVENTS_CHECK_JSON = True`, the default under DEBUG) every payload is round-tripped through
JSON where it is published, so an unserialisable event fails at its source.

Subscribers enqueue tasks or push realtime updates; they never change state themselves (the
task they enqueue does, in its own transaction). A failing subscriber is logged and never
undoes the committed change or stops the other subscribers.

Apps register in `AppConfig.ready()` with `subscribe("order.paid", handler)` or the
`@subscriber("order.paid")` decorator. Lower layers publish, higher layers listen: this is
how `orders` tells `shipping` that a parcel must be booked without importing it.

Known events (name: payload keys):
    order.placed: order_id, store_id, buyer_id
    order.paid: order_id, store_id
    order.cancelled: order_id, store_id, by
    order.expired: order_id, store_id
    order.status_changed: order_id, store_id, from_status, to_status, cause, cause_code, cause_params
    order.refund_needed: order_id, store_id, reason (late_payment | stock_gone | partial_refund | parcel_returned)
    stock.changed: product_id, store_id, stock
    account.deleted: user_id (privacy: the person was anonymised; erase what you keep of her)
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

Handler = Callable[..., None]

_subscribers: dict[str, list[Handler]] = defaultdict(list)
_captures: list[list[Event]] = []


@dataclass(frozen=True)
class Event:
    """One published event: its name and JSON-only payload."""

    name: str
    payload: dict[str, Any] = field(default_factory=dict)


def subscribe(name: str, handler: Handler) -> None:
    """Run `handler(**payload)` after commit for every `name` event (idempotent per handler)."""
    if handler not in _subscribers[name]:
        _subscribers[name].append(handler)


def subscriber(name: str) -> Callable[[Handler], Handler]:
    """Decorator form of `subscribe`."""

    def register(handler: Handler) -> Handler:
        subscribe(name, handler)
        return handler

    return register


def _check_json(name: str, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        return json.loads(json.dumps(payload))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"Event {name!r} payload is not JSON-serialisable: {exc}") from exc


def _deliver(event: Event) -> None:
    for capture in _captures:
        capture.append(event)
    for handler in list(_subscribers.get(event.name, ())):
        try:
            handler(**event.payload)
        except Exception:  # noqa: BLE001 - the change is committed; one subscriber must not stop the rest
            logger.exception("Subscriber %s of %s failed", getattr(handler, "__qualname__", handler), event.name)


def publish(name: str, **payload: Any) -> None:
    """Publish `name` with a JSON-only payload; subscribers run after the current transaction
    commits. Raises TypeError at once when the payload is not JSON (checked when
    settings.EVENTS_CHECK_JSON, default DEBUG)."""
    if getattr(settings, "EVENTS_CHECK_JSON", settings.DEBUG):
        payload = _check_json(name, payload)
    transaction.on_commit(partial(_deliver, Event(name, payload)), robust=True)


@contextmanager
def capture_events() -> Iterator[list[Event]]:
    """Collect every event delivered inside the block (tests: assert "event sent").

    Events are delivered on commit, so with pytest-django's transactional test wrapper use it
    together with `django_capture_on_commit_callbacks(execute=True)`."""
    events: list[Event] = []
    _captures.append(events)
    try:
        yield events
    finally:
        _captures.remove(events)
