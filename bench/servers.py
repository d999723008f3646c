"""ASGI server comparison (issue 17 item 2): `python bench/servers.py` (or `make bench-servers`).

daphne (what `make run` serves with today), uvicorn (uvloop + httptools, `websockets` for
WebSocket) and granian (Rust HTTP, `asginl` interface: ASGI without lifespan, which Channels'
ProtocolTypeRouter does not speak) each serve the SAME app (`tokoblitar.asgi:application`,
DEBUG off, one process, production middleware) on a free 127.0.0.1 port, one server at a time,
and the servers take turns: round 1 = daphne, uvicorn, granian; round 2 = the same again...,
so slow drift of the shared machine hits all three alike. Reported: the median over rounds.

Scenarios per server:
  (a) `/bench/bare`: a bare JsonResponse through the same middleware (the floor of the stack);
  (b) `/api/buyer/products`: the default listing; (c) the listing with rotating `search=`;
  (d) a product page (HTML, storefront template, renditions);
  (e) WebSocket fan-out: N sockets signed in as the product's seller on
      `ws/photos/products/<id>/` (session cookie, Origin checked, auth groups joined as in the
      browser); the bench process sends M events to the group through the channel layer and
      times each from send until every socket has it (deliveries/s, p50/p95 per event).
Load for (a)-(d): keep-alive `http.client` clients in several processes, back to back, warm-up
then a timed window (bench/throughput.py's client). Only 200s inside the window count.

Options: --rounds, --duration, --warmup, --clients, --procs, --sockets, --events, --products,
--servers (comma list), --no-write.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EMBEDDED_DB_NAME", "tokoblitar_bench_servers")
os.environ["RATELIMIT_ENABLE"] = "false"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")
# The bench process signs the seller's session cookie; the servers must share the key.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))

from bench.common import _wait_ready, free_port, machine_info, now_utc, percentile, write_section  # noqa: E402
from bench.throughput import run_scenario, search_urls  # noqa: E402
from tokoblitar.asgi_servers import server_argv  # noqa: E402

SERVERS = ("daphne", "uvicorn", "granian")
HTTP_SCENARIOS = [
    ("a", "bare Django JSON view `/bench/bare`"),
    ("b", "`/api/buyer/products` (default listing)"),
    ("c", "`/api/buyer/products?search=…` (rotating queries)"),
    ("d", "product page (HTML)"),
]


class Server:
    """One ASGI server subprocess serving the app on a free loopback port."""

    def __init__(self, name: str, env: dict[str, str], ready: tuple[str, ...]):
        self.name, self.env, self.ready = name, env, ready
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        command = server_argv("127.0.0.1", self.port, self.name)
        self.proc = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
            command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_ready(self.port, self.proc, self.ready)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def fan_out(port: int, path: str, cookie: str, sockets: int, events: int, group: str) -> dict:
    """Open `sockets` WebSockets, send `events` group messages, time full delivery of each."""
    import websockets
    from channels.layers import get_channel_layer

    headers = {"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"}
    url = f"ws://127.0.0.1:{port}{path}"
    conns = [await websockets.connect(url, additional_headers=headers, open_timeout=30) for _ in range(sockets)]
    layer = get_channel_layer()
    await asyncio.sleep(1.0)  # every consumer has joined its group
    latencies: list[float] = []
    lost = 0
    started = time.perf_counter()
    try:
        for seq in range(events):
            marker = f"bench-{seq}-{secrets.token_hex(4)}"
            t0 = time.perf_counter()
            await layer.group_send(group, {"type": "photos.event", "payload": {"kind": "bench", "marker": marker}})

            async def wait_for(conn, marker=marker) -> bool:
                while True:
                    data = json.loads(await conn.recv())
                    if data.get("marker") == marker:
                        return True

            tasks = [asyncio.ensure_future(wait_for(c)) for c in conns]
            done, pending = await asyncio.wait(tasks, timeout=30)
            for task in pending:  # not delivered within 30 s: counted lost, not waited for
                task.cancel()
            lost += len(pending) + sum(1 for t in done if t.exception() is not None)
            latencies.append((time.perf_counter() - t0) * 1000)
    finally:
        for conn in conns:
            await conn.close()
    wall = time.perf_counter() - started
    return {
        "deliveries_per_s": sockets * events / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "lost": lost,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", default="daphne,uvicorn,granian")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--sockets", type=int, default=100)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--stores", type=int, default=100)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]

    load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from catalog.models import Product
    from photos.realtime import product_photos_group

    call_command("migrate", verbosity=0, skip_checks=True)
    call_command("seed_bench", products=args.products, stores=args.stores, skip_checks=True)
    product = Product.objects.public().select_related("store__owner").order_by("id").first()
    client = Client()
    client.force_login(product.store.owner)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    product_path = f"/p/{product.store.slug}/{product.slug}/"
    db_name = connection.settings_dict["NAME"]
    connection.close()

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "ALLOW_SIMULATORS": "true",
        "RATELIMIT_ENABLE": "false",
        "LOG_LEVEL": "WARNING",
        "ROOT_URLCONF": "bench.bare_urls",
        "DB_POOL_MAX": os.environ.get("DB_POOL_MAX", "16"),
    }
    # DEBUG off serves hashed static files from the manifest: build it like a deployment does.
    subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    urls = {
        "a": ["/bench/bare"],
        "b": ["/api/buyer/products"],
        "c": search_urls(),
        "d": [product_path],
    }
    ready = ("/bench/bare", "/api/buyer/products?limit=1", product_path)
    samples: dict[str, dict[str, list[dict]]] = {s: {k: [] for k in ("a", "b", "c", "d", "e")} for s in servers}
    for round_no in range(1, args.rounds + 1):
        for name in servers:
            with Server(name, env, ready) as server:
                for key, _label in HTTP_SCENARIOS:
                    r = run_scenario(server.port, server.proc.pid, urls[key], args)
                    samples[name][key].append(r)
                    print(f"round {round_no} {name} ({key}): {r['rps']:.1f} req/s p95 {r['p95']:.0f} ms", flush=True)
                e = asyncio.run(
                    fan_out(
                        server.port,
                        f"/ws/photos/products/{product.pk}/",
                        cookie,
                        args.sockets,
                        args.events,
                        product_photos_group(product.pk),
                    )
                )
                samples[name]["e"].append(e)
                print(
                    f"round {round_no} {name} (e): {e['deliveries_per_s']:.0f} deliveries/s lost {e['lost']}",
                    flush=True,
                )

    def med(name: str, key: str, field: str) -> float:
        return statistics.median(s[field] for s in samples[name][key])

    def non_ok(name: str, key: str) -> int:
        return sum(sum(s["non_ok"].values()) + s["errors"] for s in samples[name][key])

    head = (
        "| server | (a) bare req/s | (b) listing req/s | (c) search req/s | (d) product page req/s "
        "| (b)/(a) | (d)/(a) | p95 ms (a/b/c/d) | non-200+errors | (e) WS deliveries/s "
        "| (e) p50 / p95 ms | (e) lost |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    rows = []
    for name in servers:
        a = med(name, "a", "rps")
        cells = [
            name,
            f"{a:.0f}",
            f"{med(name, 'b', 'rps'):.0f}",
            f"{med(name, 'c', 'rps'):.0f}",
            f"{med(name, 'd', 'rps'):.0f}",
            f"{med(name, 'b', 'rps') / a:.0%}" if a else "—",
            f"{med(name, 'd', 'rps') / a:.0%}" if a else "—",
            "/".join(f"{med(name, k, 'p95'):.0f}" for k in "abcd"),
            str(sum(non_ok(name, k) for k in "abcd")),
            f"{med(name, 'e', 'deliveries_per_s'):.0f}",
            f"{med(name, 'e', 'p50'):.0f} / {med(name, 'e', 'p95'):.0f}",
            str(sum(s["lost"] for s in samples[name]["e"])),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    rows_text = "\n".join(rows)
    base = servers[0]
    relative = "; ".join(
        f"{name}: "
        + ", ".join(f"({k}) {med(name, k, 'rps') / med(base, k, 'rps'):.2f}×" for k in "abcd")
        + f", (e) {med(name, 'e', 'deliveries_per_s') / med(base, 'e', 'deliveries_per_s'):.2f}×"
        for name in servers[1:]
    )
    command = (
        f".venv/bin/python bench/servers.py --rounds {args.rounds} --duration {args.duration:g} "
        f"--warmup {args.warmup:g} --clients {args.clients} --procs {args.procs} --sockets {args.sockets} "
        f"--events {args.events} --products {args.products}"
    )
    body = f"""
Run: {now_utc()} on {machine_info()}; load average before the run {load_before}.
Command: `make bench-servers` (= `{command}`);
database `{db_name}`; one server process at a time on 127.0.0.1, DEBUG off, RATELIMIT_ENABLE=false,
DB_POOL_MAX={env["DB_POOL_MAX"]}, Postgres channel layer (the default without REDIS_URL).
Servers take turns in each of {args.rounds} rounds; figures are medians over rounds.
Versions: {versions()}.

{head}
{rows_text}

Relative to {base}: {relative}.
"""
    print(body)
    if not args.no_write:
        write_section("ASGI servers", body)
    return 0


def versions() -> str:
    from importlib.metadata import version

    names = ["daphne", "uvicorn", "uvloop", "httptools", "websockets", "granian"]
    return ", ".join(f"{n} {version(n)}" for n in names)


if __name__ == "__main__":
    raise SystemExit(main())
