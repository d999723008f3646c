"""Sections of the personal-data export (UU 27/2022) contributed by apps the privacy app may not
import (they sit in its own layer, e.g. notifications).

An app registers in `AppConfig.ready()`:

    register_export_section("notifications", notifications_export)

and `privacy.selectors.personal_data_export` adds `{"notifications": notifications_export(user=user)}`.
An exporter takes the user and returns JSON-safe data about her only. Erasure needs no registry:
apps listen to the `account.deleted` event (tokoblitar.events).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Exporter = Callable[..., Any]

_sections: dict[str, Exporter] = {}


def register_export_section(name: str, exporter: Exporter) -> None:
    """Add (or replace, on a second `ready()`) the export section `name`, built by `exporter(user=user)`."""
    _sections[name] = exporter


def export_sections(*, user: Any) -> dict[str, Any]:
    """Every registered section for `user`, by name (sorted, so the export's key order is stable)."""
    return {name: _sections[name](user=user) for name in sorted(_sections)}
