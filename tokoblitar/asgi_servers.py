"""The ASGI server command lines: one place for `make run`/`make serve` (tokoblitar.supervisor),
the browser and scale-out test fixtures and the benchmarks.

`ASGI_SERVER` (environment) picks one: daphne, uvicorn or granian; the default is the one chosen
by measurement (bench/servers.py, "ASGI servers" in bench/RESULTS.md). All three serve the same
Channels application; granian runs it through `asginl` (ASGI without the lifespan protocol,
which Channels' ProtocolTypeRouter does not implement).
"""

from __future__ import annotations

import os
import sys

DEFAULT = "granian"
APP = "tokoblitar.asgi:application"


def server_argv(host: str, port: int, name: str | None = None) -> list[str]:
    """argv that serves the app on host:port with one process. `name` None = $ASGI_SERVER or
    the default. Raises ValueError for an unknown server name."""
    name = (name or os.environ.get("ASGI_SERVER") or _from_settings() or DEFAULT).strip().lower()
    py = sys.executable
    if name == "daphne":
        return [py, "-m", "daphne", "-b", host, "-p", str(port), APP]
    if name == "uvicorn":
        return [
            py, "-m", "uvicorn", "--host", host, "--port", str(port), "--loop", "uvloop", "--http", "httptools",
            "--ws", "websockets", "--lifespan", "off", "--no-access-log", "--log-level", "warning", APP,
        ]  # fmt: skip
    if name == "granian":
        return [
            py, "-m", "granian", "--interface", "asginl", "--host", host, "--port", str(port), "--workers", "1",
            "--loop", "uvloop", "--no-access-log", "--log-level", "warning", APP,
        ]  # fmt: skip
    raise ValueError(f"ASGI_SERVER must be daphne, uvicorn or granian, not {name!r}")


def _from_settings() -> str:
    """ASGI_SERVER as Django's settings read it (a `.env` file counts), when they are loaded."""
    try:
        from django.conf import settings

        return getattr(settings, "ASGI_SERVER", "") if settings.configured else ""
    except Exception:  # noqa: BLE001 - settings that cannot load are reported by Django itself
        return ""
