"""Search benchmark (SPEC §12): `python bench/search.py` (or `make bench-search`).

1. Uses its own database (EMBEDDED_DB_NAME, default `tokoblitar_bench`) so the dev demo
   data is untouched; migrates it and fills 100k products / 500 stores with
   `seed_bench` when missing.
2. Starts the real ASGI app (daphne) on a free 127.0.0.1 port with DEBUG off and
   RATELIMIT_ENABLE=false, and times `GET /api/buyer/products?...` over a realistic
   query set (hits, typos, misses, filters, sorts) from a keep-alive HTTP client.
3. In-process, records the SQL each request runs (CaptureQueriesContext) and the query
   count, then runs exactly that SQL raw through psycopg in the same run: the floor.
4. Writes the figures to the "Search" section of bench/RESULTS.md.

Options: --products, --stores, --rounds (timed passes over the query set).
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EMBEDDED_DB_NAME", "tokoblitar_bench")
os.environ["RATELIMIT_ENABLE"] = "false"
# Time the query path itself, in the server and in the in-process capture of its SQL:
# no micro-cache of answers, no cached totals.
os.environ["PUBLIC_LISTING_CACHE_SECONDS"] = "0"
os.environ["LARGE_TOTAL_CACHE_SECONDS"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")

from bench.common import bench_server, machine_info, now_utc, percentile, write_section  # noqa: E402

QUERIES: list[tuple[str, dict]] = [
    # Hits: common and specific words.
    ("hit", {"search": "keripik tempe"}),
    ("hit", {"search": "batik"}),
    ("hit", {"search": "kopi bubuk"}),
    ("hit", {"search": "madu hutan"}),
    ("hit", {"search": "sambal pecel"}),
    ("hit", {"search": "gerabah hias"}),
    ("hit", {"search": "wingko babat durian"}),
    ("hit", {"search": "tas anyaman"}),
    ("hit", {"search": "jamu kunyit asam"}),
    ("hit", {"search": "pedas"}),
    ("hit", {"search": "bu sri"}),
    # Typos.
    ("typo", {"search": "sambel pecal"}),
    ("typo", {"search": "kripik tempe"}),
    ("typo", {"search": "batk tulis"}),
    ("typo", {"search": "kopi robsta"}),
    ("typo", {"search": "wingko babad"}),
    ("typo", {"search": "madu hutn"}),
    ("typo", {"search": "gerabh"}),
    # Misses.
    ("miss", {"search": "laptop gaming"}),
    ("miss", {"search": "xyzzy"}),
    ("miss", {"search": "iphone 15 pro"}),
    # Filters and sorts.
    ("filter", {"search": "keripik", "category": "makanan-minuman"}),
    ("filter", {"search": "batik", "min_price": 100000, "max_price": 500000}),
    ("filter", {"search": "kopi", "sort": "price_asc"}),
    ("filter", {"search": "madu", "sort": "newest"}),
    ("filter", {"category": "kerajinan", "sort": "price_desc"}),
    ("filter", {"sort": "newest"}),
    ("filter", {"min_price": 50000, "max_price": 60000}),
    ("filter", {"search": "keripik", "page": 5, "limit": 50}),
]


def time_server(port: int, urls: list[str], rounds: int) -> dict[str, list[float]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings: dict[str, list[float]] = {url: [] for url in urls}
    for _ in range(2):  # warm caches and connection pools
        for url in urls:
            conn.request("GET", url)
            conn.getresponse().read()
    for _ in range(rounds):
        for url in urls:
            started = time.perf_counter()
            conn.request("GET", url)
            response = conn.getresponse()
            response.read()
            timings[url].append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise SystemExit(f"{url} answered {response.status}")
    conn.close()
    return timings


def capture_sql(urls: list[str]) -> dict[str, list[str]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    captured = {}
    for url in urls:
        client.get(url)  # connection set-up queries stay out of the capture
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        captured[url] = [q["sql"] for q in ctx.captured_queries]
    return captured


def time_raw(captured: dict[str, list[str]], rounds: int) -> dict[str, list[float]]:
    import psycopg
    from django.db import connection

    from catalog.search import SIMILARITY_THRESHOLD

    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or None,
        dbname=params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"] or None,
        autocommit=True,
    ) as raw:
        raw.execute(f"SET pg_trgm.similarity_threshold = {SIMILARITY_THRESHOLD}")
        timings: dict[str, list[float]] = {url: [] for url in captured}
        for round_no in range(rounds + 2):
            for url, statements in captured.items():
                started = time.perf_counter()
                for sql in statements:
                    cur = raw.execute(sql)  # no params: psycopg sends the text as is
                    if cur.description:
                        cur.fetchall()
                if round_no >= 2:
                    timings[url].append((time.perf_counter() - started) * 1000)
    return timings


def summarize(timings: dict[str, list[float]], urls: list[str]) -> tuple[float, float, float]:
    values = [t for url in urls for t in timings[url]]
    return percentile(values, 50), percentile(values, 95), max(values)


def connection_name() -> str:
    from django.db import connection

    return connection.settings_dict["NAME"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--stores", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="print only, do not touch RESULTS.md")
    args = parser.parse_args()

    load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    seeded = time.monotonic()
    call_command("seed_bench", products=args.products, stores=args.stores, skip_checks=True)
    seed_seconds = time.monotonic() - seeded

    urls = [f"/api/buyer/products?{urlencode(params)}" for _kind, params in QUERIES]
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain http on 127.0.0.1
        "ALLOW_SIMULATORS": "true",  # DEBUG off: the simulators must be forced (and are, loudly)
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RATELIMIT_ENABLE": "false",
        # Measure the query path itself: repeated passes must not be answered by the micro-cache.
        "PUBLIC_LISTING_CACHE_SECONDS": "0",
        "LARGE_TOTAL_CACHE_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        # Under ASGI each request runs in its own thread: without a pool every request would
        # open a new Postgres connection (~8 ms here). Production runs with the pool too.
        "DB_POOL_MAX": os.environ.get("DB_POOL_MAX", "8"),
    }
    with bench_server(env, ("/api/buyer/products?limit=1",)) as (port, _server):
        server_ms = time_server(port, urls, args.rounds)

    captured = capture_sql(urls)
    raw_ms = time_raw(captured, args.rounds)
    counts = sorted({len(statements) for statements in captured.values()})

    def row(label: str, kind_urls: list[str]) -> str:
        s50, s95, smax = summarize(server_ms, kind_urls)
        r50, r95, _ = summarize(raw_ms, kind_urls)
        cells = [label, f"{s50:.1f}", f"{s95:.1f}", f"{smax:.1f}", f"{r50:.1f}", f"{r95:.1f}", f"{s95 / r95:.2f}×"]
        return "| " + " | ".join(cells) + " |"

    rows = [
        row(f"{kind} ({n})", [u for u, (k, _p) in zip(urls, QUERIES, strict=True) if k == kind])
        for kind, n in sorted({k: sum(1 for q in QUERIES if q[0] == k) for k, _p in QUERIES}.items())
    ]
    rows.append(row(f"**all ({len(urls)})**", urls))
    _s50, s95, _smax = summarize(server_ms, urls)
    _r50, r95, _ = summarize(raw_ms, urls)
    slowest = sorted(urls, key=lambda u: percentile(server_ms[u], 95), reverse=True)[:3]
    slow_text = "; ".join(f"`{u.split('?', 1)[1]}` {percentile(server_ms[u], 95):.1f} ms" for u in slowest)
    command = (
        f".venv/bin/python bench/search.py --products {args.products} --stores {args.stores} --rounds {args.rounds}"
    )
    db_name = connection_name()

    body = f"""
Run: {now_utc()} on {machine_info()}; load average before the run {load_before}
(the 2 cores are shared with other work, so absolute figures are noisy; the ratio is measured in the same run).
Command: `make bench-search` (= `{command}`); database `{db_name}` (embedded PostgreSQL 18).
Catalogue: {args.products:,} active products in {args.stores} stores from `manage.py seed_bench`
({seed_seconds:.1f} s in this run; about 8–15 s from empty).
Server: daphne subprocess on 127.0.0.1, DEBUG off, RATELIMIT_ENABLE=false,
PUBLIC_LISTING_CACHE_SECONDS=0 and LARGE_TOTAL_CACHE_SECONDS=0 (no caches), DB_POOL_MAX={env["DB_POOL_MAX"]};
one keep-alive client, {args.rounds} timed passes over {len(urls)} requests after 2 warm-up passes.
"Raw" runs the exact SQL each request ran (captured in-process) over psycopg on one connection, same run.

| queries | server p50 ms | server p95 ms | server max ms | raw SQL p50 ms | raw SQL p95 ms | p95 server/raw |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Queries per request: {", ".join(map(str, counts))} (lexicon lookup when searching, COUNT, page, images prefetch),
the same whatever the number of matches.
Targets: p95 ≤ 50 ms at the server: {"met" if s95 <= 50 else "NOT met"} ({s95:.1f} ms);
≤ 2× raw SQL: {"met" if s95 <= 2 * r95 else "NOT met"} ({s95 / r95:.2f}×).
Slowest requests (p95): {slow_text}.
"""
    print(body)
    if not args.no_write:
        write_section("Search", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
