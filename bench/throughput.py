"""Throughput benchmark (SPEC §12): `python bench/throughput.py` (or `make bench-throughput`).

Target: `GET /api/buyer/products` under 32 concurrent clients reaches ≥ 50% of the
requests/s of a bare Django JSON view on the same server settings.

1. Uses the search benchmark's database (EMBEDDED_DB_NAME, default `tokoblitar_bench`),
   migrated and filled with 100k products / 500 stores by `seed_bench` when missing.
2. Starts ONE daphne process on a free 127.0.0.1 port, DEBUG off, RATELIMIT_ENABLE=false,
   DB_POOL_MAX, with ROOT_URLCONF=bench.bare_urls: the production routes plus
   `/bench/bare` (a bare `JsonResponse`), so both go through the same middleware and server.
3. For each scenario, 32 keep-alive clients (threads spread over several client processes,
   so the GIL of one client process does not cap the load) send requests back to back:
   a warm-up, then a fixed timed window. Only requests completed inside the window count.
   (a) `/bench/bare`, (b) `/api/buyer/products` (default listing), (c) the listing with a
   rotating realistic `search=` (bench/search.py's query set).
4. Measures CPU over each window from /proc: the server process, the client processes and
   the whole machine, because client and server share the same cores.
5. Writes the "Throughput" section of bench/RESULTS.md.

Options: --clients, --procs, --duration, --warmup, --products, --stores, --no-write.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import secrets
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EMBEDDED_DB_NAME", "tokoblitar_bench")
os.environ["RATELIMIT_ENABLE"] = "false"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")

from bench.common import bench_server, machine_info, now_utc, percentile, write_section  # noqa: E402

TARGET_RATIO = 0.5
TABLE_HEAD = (
    "| scenario | req/s | p50 ms | p95 ms | max ms | non-200 / errors | server CPU | client CPU "
    "| Postgres CPU | machine CPU | ratio to (a) |\n|---|---|---|---|---|---|---|---|---|---|---|"
)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def search_urls() -> list[str]:
    from bench.search import QUERIES

    return [f"/api/buyer/products?{urlencode(p)}" for _kind, p in QUERIES if "search" in p]


# Profile of a run that missed the target (kept with the figures; re-profile after changes).
ANALYSIS = """
How the target is met (profiled 2026-11-23 11:26 UTC with py-spy on daphne and EXPLAIN ANALYZE):
- Before: (b) reached 12-15% and (c) 16-23% of the bare view. Each listing ran `COUNT(*)` over
  ~97k public products (~11-14 ms) and an `ORDER BY featured DESC, created_at DESC, id DESC`
  with no matching index (a scan of every live product plus a top-N sort, ~38 ms under load);
  in daphne a 20-item DRF listing cost ~16 ms of CPU against ~3 ms for the bare view.
- Now: a partial index `catalog_product_public_default` serves the default order (page query
  ~1 ms); totals of 1,000+ rows are cached for 30 s (`tokoblitar/api/pagination.py`); and the
  serialized answer of a listing/search is reused for `PUBLIC_LISTING_CACHE_SECONDS` (5 s) with a
  version key bumped by every product/image/category/store save or delete, so edits and
  suspensions show at once (`catalog/listing_cache.py`). Order stock changes (guarded UPDATEs)
  may lag by at most those seconds; cart and checkout always read live stock.
- With a warm cache a listing costs ~5 ms of daphne CPU; what remains is DRF's request/response
  cycle and the ASGI thread hop. A cold or rare query still pays the full cost (see the Search
  section for those latencies).
"""

SCENARIOS: list[tuple[str, str]] = [
    ("a", "bare Django JSON view `/bench/bare`"),
    ("b", "`/api/buyer/products` (default listing)"),
    ("c", "`/api/buyer/products?search=…` (rotating queries)"),
]


def scenario_urls(key: str) -> list[str]:
    if key == "a":
        return ["/bench/bare"]
    if key == "b":
        return ["/api/buyer/products"]
    return search_urls()


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of one process (all its threads) in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def postgres_cpu_seconds() -> float | None:
    """CPU of the embedded Postgres: live backends plus everything the postmaster reaped
    (cutime/cstime: finished backends and parallel workers). None with an external DATABASE_URL."""
    if os.environ.get("DATABASE_URL"):
        return None
    try:
        postmaster = int((ROOT / "var" / "pgdata" / "postmaster.pid").read_text().split()[0])
        fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return None
    total = sum(int(v) for v in fields[11:15]) / CLK_TCK
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            child = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        if int(child[1]) == postmaster:
            total += (int(child[11]) + int(child[12])) / CLK_TCK
    return total


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies over all CPUs from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # steal included, guest already counted in user
    return total - idle, total


def client_worker(port: int, urls: list[str], threads: int, offset: int, start_at: float, end_at: float, queue) -> None:
    """One client process: `threads` keep-alive connections, back-to-back requests."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        mine_status: dict[int, int] = {}
        n = offset + index
        while True:
            url = urls[n % len(urls)]
            n += len(urls) // 2 + 1  # rotate through the query set, clients out of phase
            started = time.time()
            if started >= end_at:
                break
            try:
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
                with lock:
                    errors.append(type(exc).__name__)
            finished = time.time()
            if started >= start_at and finished <= end_at:
                mine.append((finished - started) * 1000)
                mine_status[status] = mine_status.get(status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for status, count in mine_status.items():
                statuses[status] = statuses.get(status, 0) + count

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    # CPU of this client process during the timed window only.
    time.sleep(max(0.0, start_at - time.time()))
    cpu_start = time.process_time()
    time.sleep(max(0.0, end_at - time.time()))
    cpu_window = time.process_time() - cpu_start
    for worker in workers:
        worker.join()
    queue.put({"latencies": latencies, "statuses": statuses, "errors": errors, "cpu": cpu_window})


def run_scenario(port: int, server_pid: int, urls: list[str], args) -> dict:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    spawn_margin = 3.0  # client processes import and connect before the warm-up starts
    start_at = time.time() + spawn_margin + args.warmup
    end_at = start_at + args.duration
    per_proc = [args.clients // args.procs + (1 if i < args.clients % args.procs else 0) for i in range(args.procs)]
    procs = []
    offset = 0
    for threads in per_proc:
        proc = ctx.Process(target=client_worker, args=(port, urls, threads, offset, start_at, end_at, queue))
        proc.start()
        procs.append(proc)
        offset += threads
    time.sleep(max(0.0, start_at - time.time()))
    server_cpu0 = proc_cpu_seconds(server_pid)
    pg_cpu0 = postgres_cpu_seconds()
    busy0, total0 = machine_busy()
    time.sleep(max(0.0, end_at - time.time()))
    server_cpu = proc_cpu_seconds(server_pid) - server_cpu0
    pg_cpu1 = postgres_cpu_seconds()
    busy1, total1 = machine_busy()
    results = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    latencies = [t for r in results for t in r["latencies"]]
    statuses: dict[int, int] = {}
    for r in results:
        for status, count in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    ok = statuses.get(200, 0)
    return {
        "rps": ok / args.duration,
        "requests": len(latencies),
        "ok": ok,
        "non_ok": {s: c for s, c in statuses.items() if s != 200},
        "errors": sum(len(r["errors"]) for r in results),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "max": max(latencies) if latencies else 0.0,
        # Shares of the machine's CPU capacity (all cores) over the window.
        "server_cpu": server_cpu / (args.duration * os.cpu_count()),
        "client_cpu": sum(r["cpu"] for r in results) / (args.duration * os.cpu_count()),
        "pg_cpu": None
        if pg_cpu0 is None or pg_cpu1 is None
        else (pg_cpu1 - pg_cpu0) / (args.duration * os.cpu_count()),
        "machine_cpu": (busy1 - busy0) / max(1, total1 - total0),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--procs", type=int, default=4, help="client processes sharing the clients")
    parser.add_argument("--duration", type=float, default=20.0, help="timed seconds per scenario")
    parser.add_argument("--warmup", type=float, default=5.0, help="untimed seconds per scenario")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--stores", type=int, default=500)
    parser.add_argument("--no-write", action="store_true", help="print only, do not touch RESULTS.md")
    args = parser.parse_args()

    load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, skip_checks=True)
    call_command("seed_bench", products=args.products, stores=args.stores, skip_checks=True)
    db_name = connection.settings_dict["NAME"]
    connection.close()

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain http on 127.0.0.1
        "ALLOW_SIMULATORS": "true",  # DEBUG off: the simulators must be forced (and are, loudly)
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RATELIMIT_ENABLE": "false",
        "LOG_LEVEL": "WARNING",
        "ROOT_URLCONF": "bench.bare_urls",
        # One connection per in-flight request under ASGI; the pool keeps them open.
        "DB_POOL_MAX": os.environ.get("DB_POOL_MAX", "16"),
    }
    results: dict[str, dict] = {}
    with bench_server(env, ("/bench/bare", "/api/buyer/products?limit=1")) as (port, server):
        for key, label in SCENARIOS:
            results[key] = run_scenario(port, server.pid, scenario_urls(key), args)
            r = results[key]
            print(f"({key}) {label}: {r['rps']:.1f} req/s, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms", flush=True)

    bare = results["a"]["rps"]

    def row(key: str, label: str) -> str:
        r = results[key]
        ratio = "—" if key == "a" else f"**{r['rps'] / bare:.0%}**"
        non_ok = ", ".join(f"{s}×{c}" for s, c in sorted(r["non_ok"].items())) or "0"
        cells = [
            f"({key}) {label}",
            f"{r['rps']:.1f}",
            f"{r['p50']:.1f}",
            f"{r['p95']:.1f}",
            f"{r['max']:.0f}",
            f"{non_ok} / {r['errors']}",
            f"{r['server_cpu']:.0%}",
            f"{r['client_cpu']:.0%}",
            "—" if r["pg_cpu"] is None else f"{r['pg_cpu']:.0%}",
            f"{r['machine_cpu']:.0%}",
            ratio,
        ]
        return "| " + " | ".join(cells) + " |"

    rows = "\n".join(row(key, label) for key, label in SCENARIOS)
    ratios = {key: results[key]["rps"] / bare for key in ("b", "c")}
    verdicts = [f"({k}) {v:.0%} → {'met' if v >= TARGET_RATIO else 'NOT met'}" for k, v in ratios.items()]

    def cpu_ms(key: str, share: float | None) -> str:
        r = results[key]
        if share is None or not r["ok"]:
            return "—"
        return f"{share * args.duration * os.cpu_count() / r['ok'] * 1000:.1f}"

    per_request = "; ".join(
        f"({k}) daphne {cpu_ms(k, results[k]['server_cpu'])} ms + Postgres {cpu_ms(k, results[k]['pg_cpu'])} ms"
        for k, _label in SCENARIOS
    )
    command = (
        f".venv/bin/python bench/throughput.py --clients {args.clients} --procs {args.procs} "
        f"--duration {args.duration:g} --warmup {args.warmup:g} --products {args.products} --stores {args.stores}"
    )
    body = f"""
Run: {now_utc()} on {machine_info()}; load average before the run {load_before}
(the cores are shared with other work and with the load generator itself, so absolute figures are noisy;
the ratios are measured in the same run against the same server process).
Command: `make bench-throughput` (= `{command}`); database `{db_name}` (embedded PostgreSQL 18,
catalogue from `manage.py seed_bench`).
Server: ONE daphne process on 127.0.0.1, DEBUG off, RATELIMIT_ENABLE=false, DB_POOL_MAX={env["DB_POOL_MAX"]},
ROOT_URLCONF=`bench.bare_urls` (the production routes plus `/bench/bare`, a bare `JsonResponse`, so
both go through the same middleware stack and server; the production URLconf is untouched).
Load: {args.clients} keep-alive clients (pure Python `http.client` threads in {args.procs} client processes),
requests back to back; per scenario {args.warmup:g} s warm-up then {args.duration:g} s timed; only 200s
completed inside the window count. Search rotates over {len(search_urls())} realistic queries
(hits, typos, misses, filters) from bench/search.py.
CPU columns are shares of the whole machine ({os.cpu_count()} cores = 100%) during the timed window:
the daphne process, the client processes, the embedded Postgres (backends and parallel workers),
and the whole machine (other work on the shared cores included).

{TABLE_HEAD}
{rows}

CPU per answered request (window CPU ÷ 200s): {per_request}.

Target ≥ {TARGET_RATIO:.0%} of the bare view: {"; ".join(verdicts)}.
{ANALYSIS}"""
    print(body)
    if not args.no_write:
        write_section("Throughput", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
