"""Where the simulated Graph API keeps its objects (codes, tokens, containers, media).

The same small idea as the marketplace simulators, kept in this app (it may not import
`marketplace`): `DbState` keeps objects in `SimulatedGraphObject` rows so the web process and the
task worker see one simulated Instagram; `MemoryState` keeps them in a dict for a handler served
on 127.0.0.1 from a test thread (no database connection across threads). Same methods on both.
"""

from __future__ import annotations

import copy
import threading
from typing import Any


class MemoryState:
    """Objects in a dict, guarded by a lock (the fake server answers from threads)."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.RLock()

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._rows.get((kind, key))
            return copy.deepcopy(row) if row is not None else None

    def put(self, kind: str, key: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._rows[(kind, key)] = copy.deepcopy(data)

    def take(self, kind: str, key: str) -> dict[str, Any] | None:
        """Remove and return in one step (single-use codes: two uses cannot both succeed)."""
        with self._lock:
            return self._rows.pop((kind, key), None)

    def all(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            return [(k, copy.deepcopy(v)) for (kd, k), v in self._rows.items() if kd == kind]


class DbState:
    """Objects in SimulatedGraphObject rows (shared by every process of this installation)."""

    def _rows(self):
        from instagram.models import SimulatedGraphObject

        return SimulatedGraphObject.objects

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        return self._rows().filter(kind=kind, key=key).values_list("data", flat=True).first()

    def put(self, kind: str, key: str, data: dict[str, Any]) -> None:
        self._rows().update_or_create(kind=kind, key=key, defaults={"data": data})

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
