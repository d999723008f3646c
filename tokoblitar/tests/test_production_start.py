"""`make serve` (scripts/serve.py), the production start (issue 9 items 2 and 19): DEBUG off, a real
SECRET_KEY required, static files collected so pages render, no demo data, and the first
request after the database dropped every connection does not fail."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
DEMO_EMAILS = ["admin@tokoblitar.id", "penjual@tokoblitar.id", "pembeli@tokoblitar.id"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    # As the TLS reverse proxy in front of `make serve` sends it (else: a redirect to https).
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})  # noqa: S310 - 127.0.0.1
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - our own server on 127.0.0.1
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _serve_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "SEED_DEMO")}
    env.update(
        EMBEDDED_DB_NAME=connection.settings_dict["NAME"],
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        # No provider keys on a test machine: simulators must be forced explicitly with DEBUG off.
        ALLOW_SIMULATORS="true",
        # With simulators allowed the sales channels and Instagram are on: their tokens need a key.
        ENCRYPTION_KEY=secrets.token_hex(32),
        TRUSTED_PROXIES="127.0.0.1",
        **extra,
    )
    return env


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the server finds the test db via EMBEDDED_DB_NAME")
@pytest.mark.django_db(transaction=True)
def test_serve_renders_pages_with_debug_off_without_demo_data(tmp_path: Path) -> None:
    port = _free_port()
    env = _serve_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(50), PORT=str(port))
    server = subprocess.Popen(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "scripts" / "serve.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        status, body = 0, ""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                time.sleep(0.5)
        assert server.poll() is None, server.stdout.read()
        assert status == 200, body[:2000]
        # Hashed names from the collected manifest: the static files were collected for DEBUG off.
        assert re.search(r"/static/[\w/]+\.[0-9a-f]{12}\.(js|css|svg)", body)
        assert (tmp_path / "static" / "staticfiles.json").exists()
        assert _get(f"http://127.0.0.1:{port}/login/")[0] == 200
        assert not User.objects.filter(email__in=DEMO_EMAILS).exists()

        # Every connection of the site is cut (what a Postgres restart does to them): the next
        # request gets a fresh one from the pool instead of a 500.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] >= 1
        status, body = _get(f"http://127.0.0.1:{port}/")
        assert status == 200, body[:2000]
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)  # Ctrl-C, as a terminal sends it
        output = server.communicate(timeout=60)[0]
    assert server.returncode == 0, output


def test_serve_refuses_without_a_real_secret_key(tmp_path: Path) -> None:
    env = _serve_env(tmp_path)
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "scripts" / "serve.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["seed_demo", "seed_curation_demo", "seed_demo_orders"])
def test_demo_commands_refuse_without_debug(settings, command: str) -> None:
    settings.DEBUG = False
    settings.SEED_DEMO = False
    with pytest.raises(CommandError, match="SEED_DEMO"):
        call_command(command)
    assert not User.objects.filter(email__in=DEMO_EMAILS).exists()
