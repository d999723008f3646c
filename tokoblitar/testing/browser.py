"""Real-browser test fixtures (pytest plugin, registered in the root conftest).

- `asgi_server`: the ASGI server (tokoblitar/asgi_servers.py) serving the project against the
  test database (WebSockets work), on a free 127.0.0.1 port. Tests using it get
  `transactional_db`, so what the test writes is committed and visible to the server process,
  and vice versa.
- `task_worker`: `manage.py db_worker` against the same database (payment follow-ups,
  shipment booking) for tests that need background work to happen.
- `browser` / `page`: headless Debian Chromium via Playwright at a 390×844 phone viewport;
  `*.tokoblitar.com` resolves to 127.0.0.1 so store subdomains can be visited.
- `shoot(page, step)`: full-page screenshot to artifacts/screenshots/<test>-<step>.png.

Mark browser tests with `@pytest.mark.browser`.
"""

from __future__ import annotations

import importlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tokoblitar.asgi_servers import server_argv

BASE_DIR = Path(settings.BASE_DIR)
SCREENSHOT_DIR = BASE_DIR / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP *.tokoblitar.com 127.0.0.1",
]
PHONE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    host = quote(str(db.get("HOST") or ""), safe="")
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


def server_env(port: int) -> dict[str, str]:
    """Environment for child processes: same database, media and simulators as the test."""
    env = dict(os.environ)
    from django.db import connection

    if str(connection.settings_dict.get("HOST") or "").startswith("/"):
        # The embedded server listens on a socket: children join it and open the test database.
        env.pop("DATABASE_URL", None)
        env["EMBEDDED_DB_NAME"] = connection.settings_dict["NAME"]
    else:
        env["DATABASE_URL"] = _database_url()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tokoblitar.settings",
            "DEBUG": "True",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "RATELIMIT_ENABLE": "False",
            "PAYMENT_PROVIDER": "simulator",
            "SHIPPING_PROVIDER": "simulator",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@dataclass
class LiveServer:
    url: str
    port: int
    process: subprocess.Popen
    log: Path

    def store_url(self, slug: str, path: str = "/") -> str:
        return f"http://{slug}.{settings.STORE_DOMAIN}:{self.port}{path}"


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url + "/static/css/app.css", timeout=2)  # noqa: S310 - our own local server
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.25)
    raise RuntimeError(f"server did not start:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def reseed_reference_data() -> None:
    """Transactional tests flush every table, data migrations' rows too: put them back."""
    from django.apps import apps

    for module, func in (
        ("catalog.migrations.0003_seed_categories", "forward"),
        ("shipping.migrations.0002_seed_areas", "seed"),
    ):
        try:
            getattr(importlib.import_module(module), func)(apps, None)
        except ModuleNotFoundError:
            continue


@pytest.fixture
def asgi_server(transactional_db, settings, tmp_path) -> Iterator[LiveServer]:
    reseed_reference_data()
    port = _free_port()
    log = tmp_path / "daphne.log"
    env = server_env(port)
    # The test process itself builds absolute URLs (simulator callbacks) to the same server.
    settings.SITE_URL = env["SITE_URL"]
    settings.PAYMENT_PROVIDER = "simulator"
    settings.SHIPPING_PROVIDER = "simulator"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            server_argv("127.0.0.1", port),
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(url=f"http://127.0.0.1:{port}", port=port, process=process, log=log)
    try:
        _wait_until_up(server.url, process, log)
        yield server
    finally:
        _stop(process)


@pytest.fixture
def task_worker(asgi_server) -> Iterator[Callable[[], subprocess.Popen]]:
    """`task_worker()` starts `manage.py db_worker` on the test database (once), so work the
    services enqueue (shipment booking) runs; a test starts it when it wants that work done."""
    processes: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        if processes:
            return processes[0]
        log = asgi_server.log.with_name("worker.log")
        with log.open("wb") as out:
            processes.append(
                subprocess.Popen(  # noqa: S603 - fixed argv
                    [sys.executable, "manage.py", "db_worker", "--interval", "0.2"],
                    cwd=BASE_DIR,
                    env=server_env(asgi_server.port),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        return processes[0]

    try:
        yield start
    finally:
        for process in processes:
            _stop(process)


def missing_browser_tool(message: str) -> None:
    """A tool the browser tests need is missing. CI installs them (.ci/run) and sets
    REQUIRE_BROWSER=1, so there it fails loudly; on a developer machine without it the test
    is reported as skipped with the reason."""
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def browser(asgi_server, monkeypatch):
    """Per test, not per session: Playwright's sync API keeps an event loop running while it
    is open, and Django refuses ORM calls under a running loop. The test's own ORM calls are
    plain synchronous code, so they are allowed for the browser's lifetime only; the database
    flush at teardown runs after Playwright has stopped."""
    if not Path(CHROMIUM).exists():
        missing_browser_tool(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # ORM calls made while the loop ran used connections local to that context;
            # close them here or the test database cannot be dropped at the end.
            from django.db import connections

            connections.close_all()


@pytest.fixture
def page(browser, asgi_server):
    context = browser.new_context(viewport=PHONE, base_url=asgi_server.url, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shoot(request):
    """`shoot(page, "step")` saves artifacts/screenshots/<test>-<step>.png (full page)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name).strip("_")

    def take(page, step: str) -> Path:
        path = SCREENSHOT_DIR / f"{test}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def login_in_browser(page, email: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_load_state()
