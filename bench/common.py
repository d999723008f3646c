"""Shared helpers for the benchmarks in bench/ (search, pages, checkout, webhooks...).

Import as `from bench.common import ...` with the project root on sys.path (never put
bench/ itself on sys.path: bench/webhooks.py would shadow the `webhooks` app).

- `machine_info()`: CPU model, cores, Python and PostgreSQL-independent facts for the report.
- `percentile(values, p)`: nearest-rank percentile (p in 0..100) of a list of numbers.
- `free_port()`: a free TCP port on 127.0.0.1 for a server under test.
- `bench_server(env, ready_urls, server_name)`: an ASGI server subprocess (daphne unless named) on
  a free 127.0.0.1 port, waited on
  until every ready URL answers 200, stopped on exit (a context manager yielding port, process).
- `write_section(title, body)`: replace (or append) the `## <title>` section of
  bench/RESULTS.md, leaving the other benchmarks' sections untouched.
"""

from __future__ import annotations

import http.client
import math
import os
import platform
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
ROOT = Path(__file__).resolve().parent.parent


def machine_info() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{model}, {cores} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; 0.0 for an empty list."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_section(title: str, body: str) -> None:
    """Replace the `## title` section of RESULTS.md (up to the next `## `) with body."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    section = f"## {title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text.rstrip("\n") + "\n")


def _wait_ready(port: int, proc: subprocess.Popen, ready_urls: tuple[str, ...], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            for url in ready_urls:
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    raise SystemExit(f"{url} answered {response.status}")
            return
        except (OSError, http.client.HTTPException):
            time.sleep(0.3)
    raise SystemExit("server did not start")


@contextmanager
def bench_server(
    env: dict[str, str], ready_urls: tuple[str, ...], server_name: str = "daphne"
) -> Iterator[tuple[int, subprocess.Popen]]:
    """The real ASGI app on a free loopback port, one process, under `server_name` (daphne,
    uvicorn or granian: tokoblitar.asgi_servers; the benches recorded before granian became
    the default ran on daphne, and keep it unless they ask)."""
    from tokoblitar.asgi_servers import server_argv

    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        server_argv("127.0.0.1", port, server_name),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(port, server, ready_urls)
        yield port, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
