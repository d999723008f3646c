"""Page benchmark (SPEC §12): `python bench/pages.py` (or `make bench-pages`).

1. Uses its own database (EMBEDDED_DB_NAME, default `tokoblitar_bench`, shared with the
   search benchmark), migrates it and fills 100k products / 500 stores with `seed_bench`
   when missing; gives one bench store `--orders` orders (placed through `order_place`,
   so they are real orders with items and payments).
2. Collects static files and starts the real ASGI app (daphne) on a free 127.0.0.1 port with
   DEBUG off, then times storefront home, a store page, a product page and the seller's
   order list (logged in with a session cookie) from a keep-alive HTTP client.
3. In-process, counts the SQL queries each page runs (CaptureQueriesContext).
4. Writes the figures to the "Pages" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EMBEDDED_DB_NAME", "tokoblitar_bench")
os.environ["RATELIMIT_ENABLE"] = "false"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")
os.environ.setdefault("PAYMENT_PROVIDER", "simulator")
os.environ.setdefault("SHIPPING_PROVIDER", "simulator")
# One key for this process and the server: the seller's session cookie is signed with it.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))

from bench.common import bench_server, machine_info, now_utc, percentile, write_section  # noqa: E402

TARGET_P95_MS = 100.0


def ensure_orders(*, store, count: int) -> None:
    """Give the store `count` orders from a few bench buyers (idempotent)."""
    from accounts.models import User
    from catalog.models import Product
    from checkout.services import order_place
    from orders.models import Order

    have = Order.objects.filter(store=store).count()
    if have >= count:
        return
    products = list(Product.objects.public().filter(store=store).order_by("pk")[:10])
    buyers = []
    for n in range(5):
        buyer, _ = User.objects.get_or_create(
            email=f"bench-buyer-{n}@bench.tokoblitar.id", defaults={"full_name": f"Pembeli Bench {n}", "role": "buyer"}
        )
        buyers.append(buyer)
    address = {
        "name": "Pembeli Bench",
        "phone": "081234567890",
        "address": "Jl. Merdeka No. 1",
        "city": "Kota Blitar",
        "district": "Sananwetan",
        "postal_code": "66137",
    }
    # Enough stock for every bench order; the bench store is bench data only.
    Product.objects.filter(pk__in=[p.pk for p in products]).update(stock=1_000_000)
    for i in range(have, count):
        lines = [{"product_id": products[(i + k) % len(products)].pk, "quantity": 1 + k} for k in range(2)]
        order_place(
            buyer=buyers[i % len(buyers)],
            store_id=store.pk,
            items=lines,
            shipping_address=address,
            courier="jne",
        )


def session_cookie_for(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def time_server(port: int, pages: dict[str, tuple[str, dict]], rounds: int) -> dict[str, list[float]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings: dict[str, list[float]] = {name: [] for name in pages}
    for round_no in range(rounds + 3):  # 3 warm-up passes
        for name, (url, headers) in pages.items():
            started = time.perf_counter()
            conn.request("GET", url, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                raise SystemExit(f"{url} answered {response.status}")
            if round_no >= 3:
                timings[name].append(elapsed)
    conn.close()
    return timings


def count_queries(pages: dict[str, tuple[str, dict]], seller) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    anonymous, logged_in = Client(), Client()
    logged_in.force_login(seller)
    counts = {}
    for name, (url, _headers) in pages.items():
        client = logged_in if name == "seller order list" else anonymous
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        counts[name] = len(ctx.captured_queries)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--stores", type=int, default=500)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--no-write", action="store_true", help="print only, do not touch RESULTS.md")
    args = parser.parse_args()

    load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    import django

    django.setup()
    from django.core.management import call_command

    from catalog.models import Product
    from stores.models import Store

    call_command("migrate", verbosity=0, skip_checks=True)
    call_command("seed_bench", products=args.products, stores=args.stores, skip_checks=True)
    store = Store.objects.filter(slug__startswith="bench-").order_by("slug").first()
    ensure_orders(store=store, count=args.orders)
    product = Product.objects.public().filter(store=store).order_by("-created_at").first()
    products_total = Product.objects.public().count()

    server_env = {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain http on 127.0.0.1
        "ALLOW_SIMULATORS": "true",  # DEBUG off: the simulators must be forced (and are, loudly)
        "RATELIMIT_ENABLE": "false",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DB_POOL_MAX": os.environ.get("DB_POOL_MAX", "8"),
    }
    # DEBUG off serves hashed static files from the manifest: build it like a deployment does.
    subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=server_env, check=True
    )
    cookie = session_cookie_for(store.owner)
    pages = {
        "home": ("/", {}),
        "store": (f"/store/{store.slug}/", {}),
        "product": (f"/p/{store.slug}/{product.slug}/", {}),
        "seller order list": ("/dashboard/pesanan/", {"Cookie": cookie}),
    }
    with bench_server(server_env, ("/static/css/app.css",)) as (port, _server):
        timings = time_server(port, pages, args.rounds)
    counts = count_queries(pages, store.owner)

    rows = []
    worst = 0.0
    for name in pages:
        p50, p95 = percentile(timings[name], 50), percentile(timings[name], 95)
        worst = max(worst, p95)
        rows.append(
            f"| {name} | `{pages[name][0]}` | {p50:.1f} | {p95:.1f} | {max(timings[name]):.1f} | {counts[name]} |"
        )
    verdict = "met" if worst <= TARGET_P95_MS else "NOT met"
    command = (
        f".venv/bin/python bench/pages.py --products {args.products} --stores {args.stores} "
        f"--orders {args.orders} --rounds {args.rounds}"
    )
    body = f"""
Run: {now_utc()} on {machine_info()}; load average before the run {load_before}
(the 2 cores are shared with other work, so absolute figures are noisy).
Command: `make bench-pages` (= `{command}`); database `tokoblitar_bench` (embedded PostgreSQL 18).
Catalogue: {products_total:,} public products in {args.stores} stores (`manage.py seed_bench`); the timed store
`{store.slug}` has {args.orders} orders placed through `order_place`.
Server: daphne subprocess on 127.0.0.1, DEBUG off (manifest static files), RATELIMIT_ENABLE=false,
DB_POOL_MAX={server_env["DB_POOL_MAX"]}; one keep-alive client, {args.rounds} timed passes after 3 warm-up passes;
the seller order list is requested with the store owner's session cookie. Time is the full HTML response.

| page | path | p50 ms | p95 ms | max ms | SQL queries |
|---|---|---|---|---|---|
{chr(10).join(rows)}

Target p95 ≤ {TARGET_P95_MS:.0f} ms on every page: {verdict} (worst p95 {worst:.1f} ms).
Query counts are constant as rows grow (asserted by `storefront/tests/test_pages.py` and
`dashboard/tests/test_pages.py` with 1 vs. many rows).
"""
    print(body)
    if not args.no_write:
        write_section("Pages", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
