"""Where a simulated platform keeps its objects (codes, tokens, items, orders, pushes).

`DbState` keeps them in `SimulatorRecord` rows, so the web process and the task worker share one
simulated Shopee/Lazada/TikTok Shop; `MemoryState` keeps them in a dict, for a platform handler
served on 127.0.0.1 by `fakeserver.FakePlatformServer` in a test thread (no database connection
across threads). Both have the same four methods; a handler takes either.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any


class MemoryState:
    """Objects in a dict, guarded by a lock (the fake server answers from a thread)."""

    def __init__(self, platform: str):
        self.platform = platform
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.RLock()

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._rows.get((kind, key))
            return copy.deepcopy(row) if row is not None else None

    def put(self, kind: str, key: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._rows[(kind, key)] = copy.deepcopy(data)

    def delete(self, kind: str, key: str) -> bool:
        with self._lock:
            return self._rows.pop((kind, key), None) is not None

    def take(self, kind: str, key: str) -> dict[str, Any] | None:
        """Remove and return an object in one step (single-use codes and refresh tokens: two
        concurrent uses cannot both succeed)."""
        with self._lock:
            return self._rows.pop((kind, key), None)

    def all(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        """[(key, data)] of one kind, oldest first."""
        with self._lock:
            return [(k, copy.deepcopy(v)) for (kd, k), v in self._rows.items() if kd == kind]


class DbState:
    """Objects in SimulatorRecord rows (shared by every process of this installation)."""

    def __init__(self, platform: str):
        self.platform = platform

    def _rows(self):
        from marketplace.models import SimulatorRecord

        return SimulatorRecord.objects.filter(platform=self.platform)

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        row = self._rows().filter(kind=kind, key=key).values_list("data", flat=True).first()
        return row

    def put(self, kind: str, key: str, data: dict[str, Any]) -> None:
        from marketplace.models import SimulatorRecord

        SimulatorRecord.objects.update_or_create(platform=self.platform, kind=kind, key=key, defaults={"data": data})

    def delete(self, kind: str, key: str) -> bool:
        deleted, _ = self._rows().filter(kind=kind, key=key).delete()
        return deleted > 0

    def take(self, kind: str, key: str) -> dict[str, Any] | None:
        from django.db import transaction

        with transaction.atomic():
            row = self._rows().select_for_update().filter(kind=kind, key=key).first()
            if row is None:
                return None
            data = row.data
            row.delete()
            return data

    def all(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        return list(self._rows().filter(kind=kind).order_by("created_at", "id").values_list("key", "data"))


def deliver_signed_pushes(
    state: Any,
    webhook_url: str,
    *,
    now: float,
    sign: Callable[[bytes], str],
    ack_seconds: float,
    next_retry: Callable[[dict[str, Any]], float | None],
    force: bool = False,
    client: Any = None,
    duplicate: bool = False,
) -> int:
    """POST every due queued push ("push" objects: {body, next_at, …}) to `webhook_url` with
    `Authorization: sign(body)`, as a platform delivers its webhooks. Only HTTP 200 within
    `ack_seconds` acknowledges (the push is dropped from the queue); otherwise `next_retry(push)`
    says how many seconds until the next try (it may count attempts in `push`), or None when the
    platform gives up. `duplicate`: send each acknowledged push twice (platforms do). `force`:
    ignore the schedule. Returns how many were acknowledged."""
    import time

    import httpx

    if not webhook_url:
        return 0
    delivered = 0
    own = client is None
    client = client or httpx.Client(timeout=ack_seconds)
    try:
        for key, push in state.all("push"):
            if not force and push["next_at"] > now:
                continue
            body = push["body"].encode()
            headers = {"Content-Type": "application/json", "Authorization": sign(body)}
            started = time.monotonic()
            try:
                response = client.post(webhook_url, content=body, headers=headers)
                acked = response.status_code == 200 and time.monotonic() - started <= ack_seconds
            except httpx.HTTPError:
                acked = False
            if acked:
                state.delete("push", key)
                delivered += 1
                if duplicate:
                    try:  # a duplicate is the platform's doing; our answer changes nothing
                        client.post(webhook_url, content=body, headers=headers)
                    except httpx.HTTPError:
                        pass
                continue
            wait = next_retry(push)
            if wait is None:
                state.delete("push", key)
            else:
                push["next_at"] = now + wait
                state.put("push", key, push)
    finally:
        if own:
            client.close()
    return delivered
