"""Checkout benchmark (SPEC §12): `python bench/checkout.py` (or `make bench-checkout`).

1. Uses its own database (EMBEDDED_DB_NAME, default `tokoblitar_bench_orders`) and migrates it;
   creates one store with one product of stock 50 and 200 buyers with API tokens.
2. Starts the real ASGI app (daphne) on a free 127.0.0.1 port with DEBUG off,
   RATELIMIT_ENABLE=false and the payment simulator.
3. 200 threads, released together by a barrier, each POST /api/buyer/orders for one unit.
4. Checks: exactly 50 answers 201 and 150 answers 409, 50 orders in the database, stock 0,
   never negative. Reports orders/s and latency, and writes the "Checkout" section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root first: run as `python bench/checkout.py`, Python puts bench/ on sys.path, where
# this file would shadow the `checkout` app (and bench/webhooks.py the `webhooks` app).
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EMBEDDED_DB_NAME", "tokoblitar_bench_orders")
os.environ["RATELIMIT_ENABLE"] = "false"
os.environ["PAYMENT_PROVIDER"] = "simulator"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")

from bench.common import free_port, machine_info, now_utc, percentile, write_section  # noqa: E402
from tokoblitar.asgi_servers import server_argv  # noqa: E402

ADDRESS = {
    "name": "Pembeli Bench",
    "phone": "081234567890",
    "address": "Jl. Kenari No. 5",
    "city": "Kota Blitar",
    "district": "Sananwetan",
    "postal_code": "66137",
}
BLITAR_AREAS = [
    (357201, "Sukorejo", -8.0917, 112.1569),
    (357202, "Kepanjenkidul", -8.0983, 112.1681),
    (357203, "Sananwetan", -8.1036, 112.1822),
]


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    from shipping.models import Area

    # The districts checkout ships between (kept if the shipping app already loaded them).
    for code, name, lat, lng in BLITAR_AREAS:
        Area.objects.get_or_create(
            id=code, defaults={"name": name, "city": "Kota Blitar", "province": "Jawa Timur", "lat": lat, "lng": lng}
        )


def make_store_and_buyers(*, buyers: int, stock: int, tag: str):
    """A fresh seller store with one product, and `buyers` buyers with tokens (no password hashing)."""
    from accounts.models import User
    from accounts.services import user_issue_token
    from catalog.models import Product
    from stores.services import store_create_for_seller

    seller = User.objects.create(email=f"bench.seller.{tag}@contoh.id", full_name="Penjual Bench", role="seller")
    store = store_create_for_seller(owner=seller, name=f"Toko Bench {tag}")
    product = Product.objects.create(
        store=store,
        name=f"Keripik Tempe Bench {tag}",
        slug=f"keripik-tempe-bench-{tag}",
        price=15_000,
        stock=stock,
        weight_gram=200,
        status=Product.Status.ACTIVE,
    )
    users = User.objects.bulk_create(
        [User(email=f"bench.buyer.{tag}.{i}@contoh.id", full_name=f"Pembeli {i}", role="buyer") for i in range(buyers)]
    )
    return store, product, [user_issue_token(user=u) for u in users]


def start_server(port: int, extra_env: dict | None = None, server_name: str | None = None) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain http on 127.0.0.1
        "ALLOW_SIMULATORS": "true",  # DEBUG off: the simulators must be forced (and are, loudly)
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RATELIMIT_ENABLE": "false",
        "PAYMENT_PROVIDER": "simulator",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        # Cap Postgres connections (each in-flight ASGI request has its own thread).
        "DB_POOL_MAX": os.environ.get("DB_POOL_MAX", "20"),
        **(extra_env or {}),
    }
    # The server's log goes to a file: an undrained pipe would fill up and block the server.
    log = tempfile.NamedTemporaryFile(prefix="bench-server-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        server_argv("127.0.0.1", port, server_name),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    server.log_path = log.name  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with {server.returncode}: {Path(log.name).read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/schema")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit("server did not start")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


def race(port: int, tokens: list[str], body: dict) -> tuple[Counter, list[float], float]:
    """Every token POSTs the order at once; returns status counts, latencies (ms) and wall time (s)."""
    statuses: Counter = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(tokens) + 1)
    raw = json.dumps(body)

    def buyer(token: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.connect()
        barrier.wait()
        started = time.perf_counter()
        try:
            conn.request(
                "POST",
                "/api/buyer/orders",
                body=raw,
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            )
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError as exc:
            status = f"error {type(exc).__name__}"
        elapsed = (time.perf_counter() - started) * 1000
        conn.close()
        with lock:
            statuses[status] += 1
            latencies.append(elapsed)

    threads = [threading.Thread(target=buyer, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return statuses, latencies, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--stock", type=int, default=50)
    parser.add_argument("--no-write", action="store_true", help="print only, do not touch RESULTS.md")
    args = parser.parse_args()

    setup_django()
    from catalog.models import Product
    from orders.models import Order

    tag = secrets.token_hex(3)
    store, product, tokens = make_store_and_buyers(buyers=args.buyers, stock=args.stock, tag=tag)
    body = {
        "store_id": str(store.pk),
        "items": [{"product_id": str(product.pk), "quantity": 1}],
        "shipping_address": ADDRESS,
        "courier": "jne",
    }
    port = free_port()
    server = start_server(port)
    try:
        statuses, latencies, wall = race(port, tokens, body)
    finally:
        stop_server(server)

    product = Product.objects.get(pk=product.pk)
    orders = Order.objects.filter(store=store).count()
    created = statuses.get(201, 0)
    ok = (
        created == args.stock
        and orders == args.stock
        and product.stock == 0
        and statuses.get(409, 0) == (args.buyers - args.stock)
    )
    from django.db import connection

    answers = ", ".join(f"{k}×{v}" for k, v in sorted(statuses.items(), key=str))
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    row = (
        f"| {answers} | {orders} | {product.stock} | {wall:.2f} s | **{created / wall:.1f}** | "
        f"{args.buyers / wall:.1f} | {p50:.0f} | {p95:.0f} | {max(latencies):.0f} |"
    )
    command = f".venv/bin/python bench/checkout.py --buyers {args.buyers} --stock {args.stock}"
    verdict = "**met**" if ok else "**NOT met**"
    body_md = f"""
Run: {now_utc()} on {machine_info()}; embedded PostgreSQL (`{connection.settings_dict["NAME"]}` database).
Command: `make bench-checkout` (= `{command}`).
Server: daphne, DEBUG off, RATELIMIT_ENABLE=false, payment simulator, shipping simulator.
{args.buyers} buyers (threads, one keep-alive connection each, released together by a barrier) each
`POST /api/buyer/orders` for 1 unit of one product with stock {args.stock}.

| answers | orders in DB | stock after | wall time | orders/s | requests/s | p50 ms | p95 ms | max ms |
|---|---|---|---|---|---|---|---|---|
{row}

Correctness: exactly {args.stock} orders, stock 0, {args.buyers - args.stock} × 409 → {verdict}.
Each successful checkout = shipping quote, one transaction (guarded stock UPDATE, order + items + history),
the simulator's QRIS charge, the payment row; the losers stop at the stock check or the guarded UPDATE (409).
One daphne process on 2 shared cores: each in-flight request runs in its own thread and the
connections come from a pool of DB_POOL_MAX={os.environ.get("DB_POOL_MAX", "20")} (without it, 200 simultaneous
requests exceed Postgres' max_connections). Throughput scales with web processes (README scale-out path);
correctness does not depend on it: the guarded UPDATE holds under any number of processes.
"""
    print(body_md)
    if not args.no_write:
        write_section("Checkout", body_md)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
