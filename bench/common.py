"""Shared helpers for the benchmarks in bench/ (search, pages, checkout, webhooks...).

Import as `from bench.common import ...` with the project root on sys.path (never put
bench/ itself on sys.path: bench/webhooks.py would shadow the `webhooks` app).

- `machine_info()`: CPU model, cores, Python and PostgreSQL-independent facts for the report.
- `percentile(values, p)`: nearest-rank percentile (p in 0..100) of a list of numbers.
- `free_port()`: a free TCP port on 127.0.0.1 for a server under test.
- `write_section(title, body)`: replace (or append) the `## <title>` section of
  bench/RESULTS.md, leaving the other benchmarks' sections untouched.
"""

from __future__ import annotations

import math
import os
import platform
import re
import socket
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


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
