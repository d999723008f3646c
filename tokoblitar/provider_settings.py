"""Builds the provider registry from the per-provider settings (which come from the environment).

For each kind: `<KIND>_PROVIDER` forces a mode; otherwise the live backend is chosen when its
key is set, else the local simulator. Simulators sign and verify with a per-installation
random secret (`simulator_secret`), never with a value written in the repository.

The registry is derived from the individual settings on each read (cheap), so overriding
`MIDTRANS_SERVER_KEY` or `SHIPPING_PROVIDER` in a test or a `.env` changes it at once; an
explicit `PROVIDERS` setting replaces the derivation entirely.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

try:
    import fcntl
except ImportError:  # pragma: no cover - non-POSIX
    fcntl = None  # type: ignore[assignment]


def simulator_secret(var_dir: Path, configured: str = "") -> str:
    """The secret simulators sign callbacks with and our webhooks verify in simulator mode.

    `SIMULATOR_SECRET` when set (every process of a scaled-out deployment must share it);
    otherwise a random 256-bit value generated on first start and kept in
    `var/simulator-secret` (mode 0600, outside version control), shared by every process of
    this checkout. Written atomically under a lock so two first starts agree on one value."""
    if configured:
        return configured
    path = var_dir / "simulator-secret"
    var_dir.mkdir(parents=True, exist_ok=True)
    lock_path = var_dir / ".simulator-secret.lock"
    with open(lock_path, "a") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if path.exists():
                value = path.read_text().strip()
                if len(value) >= 32:
                    return value
            value = secrets.token_hex(32)
            tmp = path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(value)
            os.replace(tmp, path)
            return value
        finally:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass(frozen=True)
class ProviderKind:
    """What can be registered for one kind: the live backend, the simulator and the
    variables that choose between them (the README's provider table is made from this)."""

    kind: str
    name: str
    live_backend: str
    simulator_backend: str
    force_variable: str
    live_alias: str
    key_variable: str
    simulator_behaviour: str


PROVIDER_KINDS: tuple[ProviderKind, ...] = (
    ProviderKind(
        kind="payments",
        name="Midtrans QRIS",
        live_backend="orders.payments.midtrans.MidtransPaymentProvider",
        simulator_backend="orders.payments.simulator.SimulatorPaymentProvider",
        force_variable="PAYMENT_PROVIDER",
        live_alias="midtrans",
        key_variable="MIDTRANS_SERVER_KEY",
        simulator_behaviour="QRIS string + QR; Bayar/Kedaluwarsa send signed notifications to /api/webhooks/midtrans",
    ),
    ProviderKind(
        kind="shipping",
        name="KiriminAja",
        live_backend="shipping.providers.kiriminaja.KiriminAjaShippingProvider",
        simulator_backend="shipping.providers.simulator.SimulatorShippingProvider",
        force_variable="SHIPPING_PROVIDER",
        live_alias="kiriminaja",
        key_variable="KIRIMINAJA_API_KEY",
        simulator_behaviour=(
            "rates by courier, service, distance, weight; booking; callbacks to /api/webhooks/kiriminaja"
        ),
    ),
)


def providers_markdown() -> str:
    """The README's provider table, made from PROVIDER_KINDS (a test keeps them equal)."""
    rows = [
        "| kind | provider | live when | simulator behaviour |",
        "|---|---|---|---|",
    ]
    for k in PROVIDER_KINDS:
        rows.append(
            f"| `{k.kind}` | {k.name} (`{k.live_backend}`) | `{k.key_variable}` set "
            f"(`{k.force_variable}` = `{k.live_alias}` or `simulator` forces) | {k.simulator_behaviour} |"
        )
    return "\n".join(rows)


def _mode(forced: str, *, kind_env: str, live_alias: str, has_key: bool) -> tuple[str, bool]:
    forced = (forced or "").strip().lower()
    if forced:
        if forced not in (live_alias, "simulator"):
            raise ImproperlyConfigured(f"{kind_env} must be '{live_alias}' or 'simulator'")
        return ("live" if forced == live_alias else "simulator"), True
    return ("live" if has_key else "simulator"), False


def _live_options(kind: str, conf: Any) -> dict[str, Any]:
    if kind == "payments":
        return {
            "server_key": conf.MIDTRANS_SERVER_KEY,
            "client_key": conf.MIDTRANS_CLIENT_KEY,
            "is_production": conf.MIDTRANS_IS_PRODUCTION,
            "base_url": conf.MIDTRANS_API_BASE_URL or None,
            "timeout": conf.MIDTRANS_TIMEOUT_SECONDS,
        }
    return {
        "api_key": conf.KIRIMINAJA_API_KEY,
        "base_url": conf.KIRIMINAJA_BASE_URL,
        "is_production": conf.KIRIMINAJA_IS_PRODUCTION,
        "timeout": conf.KIRIMINAJA_TIMEOUT_SECONDS,
    }


# The option that carries each kind's secret: what a live backend cannot run without, and
# what a simulator signs its callbacks with (this installation's secret).
SECRET_OPTION = {"payments": "server_key", "shipping": "api_key"}
WEBHOOK_PATH = {"payments": "/api/webhooks/midtrans", "shipping": "/api/webhooks/kiriminaja"}


def providers_from_settings(conf: Any) -> dict[str, dict[str, Any]]:
    """The PROVIDERS mapping (see tokoblitar.providers) for every kind in PROVIDER_KINDS,
    from the per-provider settings on `conf` (django.conf.settings).

    Raises ImproperlyConfigured for an unknown `<KIND>_PROVIDER` value."""
    providers: dict[str, dict[str, Any]] = {}
    for k in PROVIDER_KINDS:
        secret = SECRET_OPTION[k.kind]
        mode, forced = _mode(
            getattr(conf, k.force_variable),
            kind_env=k.force_variable,
            live_alias=k.live_alias,
            has_key=bool(getattr(conf, k.key_variable)),
        )
        if mode == "live":
            entry = {"BACKEND": k.live_backend, "REQUIRED": [secret], "OPTIONS": _live_options(k.kind, conf)}
        else:
            entry = {
                "BACKEND": k.simulator_backend,
                "OPTIONS": {
                    secret: conf.SIMULATOR_SECRET,
                    "webhook_url": conf.SITE_URL.rstrip("/") + WEBHOOK_PATH[k.kind],
                },
            }
        providers[k.kind] = {**entry, "MODE": mode, "NAME": k.name, "FORCED": forced}
    return providers
