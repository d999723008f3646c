"""Scale-out fixtures (pytest plugin, registered in the root conftest): the shape a deployment
with more than one process has, on one machine.

- `redis_url`: a real `redis-server` (Debian's package) on a free 127.0.0.1 port, empty, no
  persistence, stopped after the test. Missing binary: skipped with the reason, or a failure
  where REQUIRE_REDIS=1 (`.ci/run` installs it and sets that).
- `scaled`: two web processes (tokoblitar/asgi_servers.py) and two task workers on the test database, all with
  REDIS_URL (so the Redis cache, rate-limit counters and channel layer) and rate limits on.
  Tests using it get `transactional_db`: what the test writes is visible to the processes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tokoblitar.asgi_servers import server_argv
from tokoblitar.testing.browser import (
    BASE_DIR,
    LiveServer,
    _free_port,
    _stop,
    _wait_until_up,
    reseed_reference_data,
    server_env,
)

# Tight enough to reach in a test, loose enough that the setup's own requests pass.
SCALED_RATELIMIT_AUTH = "3/h"


def _missing_redis(message: str) -> None:
    if os.environ.get("REQUIRE_REDIS") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        _missing_redis("redis-server is not installed (apt-get install redis-server)")
    import redis

    port = _free_port()
    log = tmp_path / "redis.log"
    argv = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    with log.open("wb") as out:
        process = subprocess.Popen([*argv, "--dir", str(tmp_path)], stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start:\n{log.read_text()[-2000:]}") from None
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        _stop(process)


@dataclass
class Scaled:
    """Two web processes (`web[0]`, `web[1]`), two task workers and the Redis they share."""

    web: list[LiveServer]
    workers: list[subprocess.Popen]
    redis_url: str


def _scaled_env(port: int, redis_url: str) -> dict[str, str]:
    env = server_env(port)
    env.update({"REDIS_URL": redis_url, "RATELIMIT_ENABLE": "True", "RATELIMIT_AUTH": SCALED_RATELIMIT_AUTH})
    return env


@pytest.fixture
def scaled(transactional_db, settings, tmp_path, redis_url) -> Iterator[Scaled]:
    reseed_reference_data()
    settings.PAYMENT_PROVIDER = "simulator"
    settings.SHIPPING_PROVIDER = "simulator"
    web: list[LiveServer] = []
    workers: list[subprocess.Popen] = []
    try:
        for n in range(2):
            port = _free_port()
            log = tmp_path / f"web{n}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(  # noqa: S603 - fixed argv
                    server_argv("127.0.0.1", port),
                    cwd=BASE_DIR,
                    env=_scaled_env(port, redis_url),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            web.append(LiveServer(url=f"http://127.0.0.1:{port}", port=port, process=process, log=log))
        for n in range(2):
            log = tmp_path / f"worker{n}.log"
            with log.open("wb") as out:
                workers.append(
                    subprocess.Popen(  # noqa: S603 - fixed argv
                        [sys.executable, "manage.py", "db_worker", "--interval", "0.2"],
                        cwd=BASE_DIR,
                        env=_scaled_env(web[0].port, redis_url),
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        for server in web:
            _wait_until_up(server.url, server.process, server.log)
        # The test process builds absolute URLs (simulator callbacks) to the first server.
        settings.SITE_URL = web[0].url
        yield Scaled(web=web, workers=workers, redis_url=redis_url)
    finally:
        for process in [*workers, *(s.process for s in web)]:
            _stop(process)


def process_log(scaled: Scaled) -> str:
    """Every process's log, for an assertion message."""
    parts = []
    for n, server in enumerate(scaled.web):
        parts.append(f"--- web {n} ---\n{Path(server.log).read_text()[-2000:]}")
    return "\n".join(parts)
