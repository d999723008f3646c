"""Soak benchmark (issue 17 item 6): `python bench/soak.py` (or `make bench-soak`).

A realistic buyer mix against ONE web process and ONE task worker for `--minutes` (default 10),
with rate limits off, driven by locust (headless, bounded in time and users, 127.0.0.1 only).

1. Own database (EMBEDDED_DB_NAME, default `tokoblitar_bench_soak`), migrated; the demo shops
   (`seed_demo`) and a benchmark catalogue (`seed_bench`, default 20k products / 100 stores) to
   browse and search; a fresh "soak" store per run whose products have a stock that cannot run
   out (10,000,000 each) for checkout; `--buyers` buyer accounts with one known password.
2. Static files collected (DEBUG off serves the hashed manifest), then the web server and the
   task worker exactly as `make run` starts them (`tokoblitar.supervisor.app_children`: the
   ASGI server of `tokoblitar.asgi_servers` (`ASGI_SERVER`), and `python -m tokoblitar.worker
   --interval 0.5`) as subprocesses on 127.0.0.1, DEBUG off, ALLOW_SIMULATORS=true,
   RATELIMIT_ENABLE=false, payment and shipping simulators, DB_POOL_MAX (default 20). Not
   supervised: a child that dies is reported, not restarted.
3. `locust -f bench/soak_locustfile.py --headless -u USERS -r RATE -t MINUTES --stop-timeout 30`
   (its stats go to a JSON file written when locust quits): each user a signed-in buyer
   browsing, searching, adding to cart, checking out, paying through the payment simulator
   (its signed notification runs the real webhook) and opening tracking pages;
   the mix and what counts as an error are in the locustfile.
4. RSS (VmRSS of the process and all its descendants, from /proc) of the web server and of the
   worker: idle before the load, after the warm-up (`--warmup` s into the run: the baseline),
   every minute, at the end of the load.
5. After the load: the worker gets up to 60 s to drain ready tasks (courier bookings); then
   the database says how many orders were placed and paid, how many shipments were booked,
   which tasks failed, and whether any stock went negative or the soak products' stock does not
   add up (initial − now must equal the units held by their live orders).
6. Writes the "Soak" section of bench/RESULTS.md (`--no-write` prints only).

Every process started here is stopped at the end, on an error and on Ctrl-C / SIGTERM.
Exit status 0 only when there were no errors and the database checks hold.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Never bench/ itself on sys.path: bench/webhooks.py would shadow the `webhooks` app.
sys.path[0] = str(ROOT)
os.environ.setdefault("EMBEDDED_DB_NAME", "tokoblitar_bench_soak")
os.environ["RATELIMIT_ENABLE"] = "false"
os.environ["PAYMENT_PROVIDER"] = "simulator"
os.environ["SHIPPING_PROVIDER"] = "simulator"
os.environ["ALLOW_SIMULATORS"] = "true"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")

from bench.common import free_port, machine_info, now_utc, write_section  # noqa: E402

LOCUSTFILE = ROOT / "bench" / "soak_locustfile.py"
PASSWORD = "soak-bench-12345"  # noqa: S105 - throwaway accounts in the bench database only
BUY_STOCK = 10_000_000
ADDRESS = {
    "name": "Pembeli Soak",
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
# Steps in journey order, for the table (locust names them in the locustfile).
STEPS = [
    "login page",
    "login (API)",
    "home page",
    "store page",
    "product page",
    "search page",
    "search (API)",
    "add to cart",
    "cart page",
    "checkout (API)",
    "payment page",
    "pay (simulator)",
    "payment status",
    "tracking page",
    "tracking (API)",
]
# Growth of a process's RSS from the warm-up baseline to the end that counts as noise.
NOISE_MB = 15.0
NOISE_SHARE = 0.10


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


# --- memory ---------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def tree_rss_mb(pid: int) -> float:
    """VmRSS of `pid` and all its descendants, in MB (0.0 when it is gone)."""
    total_kb = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
                    break
        except OSError:
            continue
        todo.extend(_children(current))
    return total_kb / 1024


# --- setup ----------------------------------------------------------------------------------


def prepare(args: argparse.Namespace) -> dict:
    """Migrate and seed the bench database; the JSON the locustfile reads."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    from accounts.models import User
    from catalog.models import Product
    from shipping.models import Area
    from stores.services import store_create_for_seller

    for code, name, lat, lng in BLITAR_AREAS:
        Area.objects.get_or_create(
            id=code, defaults={"name": name, "city": "Kota Blitar", "province": "Jawa Timur", "lat": lat, "lng": lng}
        )
    call_command("seed_demo", force=True, skip_checks=True)
    call_command("seed_bench", products=args.products, stores=args.stores, skip_checks=True)

    tag = secrets.token_hex(3)
    seller = User.objects.create(email=f"soak.seller.{tag}@contoh.id", full_name="Penjual Soak", role="seller")
    store = store_create_for_seller(owner=seller, name=f"Toko Soak {tag}")
    buy = []
    for n, (name, price) in enumerate(
        [("Keripik Tempe Soak", 15_000), ("Sambal Pecel Soak", 22_000), ("Kopi Bubuk Soak", 35_000)]
        + [(f"Wingko Babat Soak {i}", 18_000 + 1_000 * i) for i in range(1, 8)]
    ):
        product = Product.objects.create(
            store=store,
            name=f"{name} {tag}",
            slug=f"{name.lower().replace(' ', '-')}-{tag}-{n}",
            price=price,
            stock=BUY_STOCK,
            weight_gram=250,
            status=Product.Status.ACTIVE,
        )
        buy.append(
            {
                "store_id": str(store.pk),
                "store_slug": store.slug,
                "product_id": str(product.pk),
                "product_slug": product.slug,
                "name": product.name,
            }
        )
    hashed = make_password(PASSWORD)  # hashed once: every soak buyer shares it
    User.objects.bulk_create(
        [
            User(email=f"soak.buyer.{tag}.{i}@contoh.id", full_name=f"Pembeli Soak {i}", role="buyer", password=hashed)
            for i in range(args.buyers)
        ]
    )
    sample = list(Product.objects.public().order_by("?").values_list("store__slug", "slug")[: args.product_sample])
    demo = list(Product.objects.public().exclude(store__slug__startswith="bench-").values_list("store__slug", "slug"))
    products = [list(p) for p in dict.fromkeys(sample + demo)]
    stores = sorted({s for s, _p in products})
    from bench.relevance_queries import QUERIES

    return {
        "tag": tag,
        "store_id": str(store.pk),
        "data": {
            "stores": stores,
            "products": products,
            "buy": buy,
            "buyers": [f"soak.buyer.{tag}.{i}@contoh.id" for i in range(args.buyers)],
            "password": PASSWORD,
            "queries": sorted({q for _group, q, _judgement in QUERIES}),
            "address": ADDRESS,
            "courier": "jne",
        },
    }


def wait_ready(port: int, proc: subprocess.Popen, paths: tuple[str, ...], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"web server exited with {proc.returncode} before answering")
        try:
            for path in paths:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:  # noqa: S310
                    response.read()
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.5)
    raise SystemExit("web server did not answer")


def stop(proc: subprocess.Popen | None, timeout: float = 15) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- report ---------------------------------------------------------------------------------


def read_result(path: Path) -> dict:
    """What the locustfile wrote when locust quit: steps, total, failures, exceptions."""
    if not path.exists():
        raise SystemExit(f"locust wrote no result ({path}); see its log beside it")
    return json.loads(path.read_text())


def db_figures(*, store_id: str, since, product_ids: list[str]) -> dict:  # noqa: ANN001 - datetime
    from django.db.models import Count, Sum
    from django_tasks_db.models import DBTaskResult

    from catalog.models import Product
    from orders.models import Order, OrderItem
    from shipping.models import Shipment

    orders = Order.objects.filter(store_id=store_id, created_at__gte=since)
    by_status = dict(orders.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    released = [Order.Status.CANCELLED, Order.Status.EXPIRED, Order.Status.REFUNDED]
    held = (
        OrderItem.objects.filter(product_id__in=product_ids)
        .exclude(order__status__in=released)
        .aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    stocks = list(Product.objects.filter(pk__in=product_ids).values_list("stock", flat=True))
    tasks = DBTaskResult.objects.filter(enqueued_at__gte=since)
    failed = list(tasks.failed().values_list("task_path", "exception_class_path"))
    return {
        "placed": orders.count(),
        "paid": orders.filter(status__in=Order.PAID_STATES).count(),
        "by_status": {str(k): v for k, v in sorted(by_status.items())},
        "shipments": Shipment.objects.filter(order__in=orders).count(),
        "booked": Shipment.objects.filter(order__in=orders, booked_at__isnull=False).count(),
        "negative_stock": Product.objects.filter(stock__lt=0).count(),
        "stock_taken": BUY_STOCK * len(stocks) - sum(stocks),
        "stock_held": held,
        "tasks": {
            f"{path.rsplit('.', 1)[-1]} {status.lower()}": n
            for path, status, n in tasks.values_list("task_path", "status")
            .annotate(n=Count("id"))
            .values_list("task_path", "status", "n")
            .order_by("task_path", "status")
        },
        "failed_tasks": failed,
    }


def growth_verdict(name: str, base: float, end: float) -> tuple[bool, str]:
    grown = end - base
    limit = max(NOISE_MB, NOISE_SHARE * base)
    ok = grown <= limit
    return ok, f"{name} {base:.0f} → {end:.0f} MB ({grown:+.0f} MB, noise limit {limit:.0f} MB)"


def main() -> int:  # noqa: C901, PLR0912, PLR0915 - one linear benchmark script
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0, help="duration of the load")
    parser.add_argument("--users", type=int, default=20, help="concurrent locust users (buyers)")
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="users started per second")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds into the run of the RSS baseline")
    parser.add_argument("--products", type=int, default=20_000, help="seed_bench catalogue size")
    parser.add_argument("--stores", type=int, default=100, help="seed_bench stores")
    parser.add_argument("--product-sample", type=int, default=2_000, help="catalogue products browsed")
    parser.add_argument("--no-write", action="store_true", help="print only, do not touch RESULTS.md")
    args = parser.parse_args()
    args.buyers = args.users
    duration = int(args.minutes * 60)
    warmup = min(args.warmup, duration / 2)

    # Explicit handlers: a shell that starts us in the background ignores SIGINT by default.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    prepared = prepare(args)
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    db_name = connection.settings_dict["NAME"]
    expiry = settings.PAYMENT_EXPIRY_MINUTES
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain http on 127.0.0.1
        "SECRET_KEY": secrets.token_urlsafe(48),  # one key for the web server and the worker
        "SITE_URL": base_url,  # where the payment simulator delivers its notification
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MAX": os.environ.get("DB_POOL_MAX", "20"),
    }
    # DEBUG off serves hashed static files from the manifest: build it like a deployment does.
    subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    from tokoblitar.supervisor import app_children

    web_child, worker_child = app_children(root=ROOT, host="127.0.0.1", port=port, env=env)
    workdir = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    (workdir / "data.json").write_text(json.dumps(prepared["data"]))
    result_path = workdir / "result.json"
    logs = {name: (workdir / f"{name}.log").open("w") for name in ("web", "worker", "locust")}
    connection.close()  # not held idle through the run

    web = worker = locust = None
    samples: list[tuple[str, float, float, float]] = []  # (label, seconds into the run, web MB, worker MB)
    died: list[str] = []
    load_started = 0.0
    since = timezone.now()
    try:
        web = subprocess.Popen(  # noqa: S603 - our own commands (tokoblitar.supervisor)
            web_child.argv, cwd=ROOT, env=web_child.env, stdout=logs["web"], stderr=subprocess.STDOUT
        )
        worker = subprocess.Popen(  # noqa: S603
            worker_child.argv, cwd=ROOT, env=worker_child.env, stdout=logs["worker"], stderr=subprocess.STDOUT
        )
        first = prepared["data"]["products"][0]
        wait_ready(port, web, ("/", "/api/buyer/products?limit=1", f"/p/{first[0]}/{first[1]}/"))
        samples.append(("idle, before the load", 0.0, tree_rss_mb(web.pid), tree_rss_mb(worker.pid)))
        locust_argv = [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "-u",
            str(args.users),
            "-r",
            f"{args.spawn_rate:g}",
            "-t",
            f"{duration}s",
            "--stop-timeout",
            "30",  # users finish their journey: no order is left half-paid by the stop
            "--host",
            base_url,
            "--only-summary",
        ]
        print(f"load: {args.users} users for {duration} s against {base_url}; logs in {workdir}", flush=True)
        load_started = time.monotonic()
        locust = subprocess.Popen(  # noqa: S603
            locust_argv,
            cwd=ROOT,
            env={**os.environ, "SOAK_DATA": str(workdir / "data.json"), "SOAK_RESULT": str(result_path)},
            stdout=logs["locust"],
            stderr=subprocess.STDOUT,
        )
        next_sample, baseline_taken, end_taken = 60.0, False, False
        while locust.poll() is None:
            time.sleep(1)
            elapsed = time.monotonic() - load_started
            for name, proc in (("web server", web), ("task worker", worker)):
                if proc.poll() is not None and not any(d.startswith(name) for d in died):
                    died.append(f"{name} exited with {proc.returncode} after {elapsed:.0f} s")
            if not baseline_taken and elapsed >= warmup:
                samples.append(("after warm-up (baseline)", elapsed, tree_rss_mb(web.pid), tree_rss_mb(worker.pid)))
                baseline_taken = True
            if elapsed >= next_sample and elapsed < duration:
                if elapsed - samples[-1][1] > 5:  # not twice at once (the baseline may fall on a minute)
                    samples.append(
                        (f"minute {next_sample / 60:.0f}", elapsed, tree_rss_mb(web.pid), tree_rss_mb(worker.pid))
                    )
                next_sample += 60
            if not end_taken and elapsed >= duration:
                samples.append(("end of the load", elapsed, tree_rss_mb(web.pid), tree_rss_mb(worker.pid)))
                end_taken = True
        if not end_taken:
            samples.append(
                ("end of the load", time.monotonic() - load_started, tree_rss_mb(web.pid), tree_rss_mb(worker.pid))
            )
        locust_rc = locust.returncode
        # The worker books the couriers of the last paid orders.
        from django_tasks_db.models import DBTaskResult

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and worker.poll() is None:
            if not (DBTaskResult.objects.ready().exists() or DBTaskResult.objects.running().exists()):
                break
            time.sleep(1)
        figures = db_figures(
            store_id=prepared["store_id"], since=since, product_ids=[b["product_id"] for b in prepared["data"]["buy"]]
        )
        for name, proc in (("web server", web), ("task worker", worker)):
            if proc.poll() is not None and not any(d.startswith(name) for d in died):
                died.append(f"{name} exited with {proc.returncode}")
    except KeyboardInterrupt:
        print("interrupted: stopping everything started here", file=sys.stderr)
        return 130
    finally:
        stop(locust)
        stop(web)
        stop(worker)
        for log in logs.values():
            log.close()

    result = read_result(result_path)
    steps = {s["name"]: s for s in result["steps"]}
    total = result["total"]
    errors = total["failures"]
    exceptions = result["exceptions"]

    def row(label: str, s: dict) -> str:
        return (
            f"| {label} | {s['requests']} | {s['failures']} | {s['p50']:.0f} | {s['p95']:.0f} | {s['p99']:.0f} "
            f"| {s['max']:.0f} | {s['rps']:.2f} |"
        )

    names = [s for s in STEPS if s in steps] + sorted(set(steps) - set(STEPS))
    rows = [row(name, steps[name]) for name in names] + [row("**all**", total)]
    failure_lines = [
        f"- {f['method']} {f['name']} × {f['occurrences']}: {f['error'][:300]}" for f in result["failures"]
    ] + [f"- exception × {e['count']}: {e['message'][:300]}" for e in exceptions]

    base = next(
        (s for s in samples if s[0].startswith("after warm-up")), samples[1] if len(samples) > 1 else samples[0]
    )
    end = samples[-1]
    web_ok, web_text = growth_verdict("web server", base[2], end[2])
    worker_ok, worker_text = growth_verdict("task worker", base[3], end[3])
    memory_rows = "\n".join(
        f"| {label} | {at:.0f} | {web_mb:.1f} | {worker_mb:.1f} |" for label, at, web_mb, worker_mb in samples
    )

    stock_ok = figures["negative_stock"] == 0 and figures["stock_taken"] == figures["stock_held"]
    paid_ok = figures["paid"] == figures["placed"]
    ok = errors == 0 and not exceptions and not died and stock_ok and paid_ok and web_ok and worker_ok
    command = (
        f".venv/bin/python bench/soak.py --minutes {args.minutes:g} --users {args.users} "
        f"--spawn-rate {args.spawn_rate:g} --warmup {args.warmup:g} --products {args.products} --stores {args.stores}"
    )
    verdict = [
        f"errors {errors} (target 0) → {'met' if errors == 0 and not exceptions else 'NOT met'}",
        f"memory: {web_text}; {worker_text} → {'no growth beyond noise' if web_ok and worker_ok else 'GROWTH'}",
        f"orders paid {figures['paid']} of {figures['placed']} placed → {'all paid' if paid_ok else 'NOT all paid'}",
        f"stock never negative and accounted for → {'yes' if stock_ok else 'NO'}",
        f"couriers booked by the worker for {figures['booked']} of {figures['paid']} paid orders",
    ]
    if died:
        verdict.append("processes died: " + "; ".join(died))
    if args.minutes < 10:
        verdict.append(f"a {args.minutes:g}-minute smoke run: the soak target is 10 minutes")
    from tokoblitar.asgi_servers import DEFAULT as default_server

    server_name = os.environ.get("ASGI_SERVER") or default_server
    body = f"""
Run: {now_utc()} on {machine_info()}; load average before the run {load_before}
(the 2 cores are shared with the load generator and any other work on the machine).
Command: `make bench-soak` (= `{command}`); database `{db_name}` (embedded PostgreSQL; `seed_demo`
shops + `seed_bench` catalogue of {args.products} products / {args.stores} stores + one soak store whose
{len(prepared["data"]["buy"])} products hold {BUY_STOCK:,} units each).
Server: ONE web process and ONE task worker exactly as `make run` starts them (`app_children`: {server_name}
(`ASGI_SERVER`), `python -m tokoblitar.worker --interval 0.5`), on 127.0.0.1, DEBUG off, ALLOW_SIMULATORS=true,
RATELIMIT_ENABLE=false, payment and shipping simulators, DB_POOL_MAX={env["DB_POOL_MAX"]}.
Load: locust {_locust_version()} headless, {args.users} signed-in buyers (spawned {args.spawn_rate:g}/s), 1–3 s
think time, for {duration} s (`--stop-timeout 30`: journeys in flight finish). Mix per pick (weights):
home 3, store page 3, product page 6, search page 2, search API 6 (the {len(prepared["data"]["queries"])}
queries of bench/relevance_queries.py), buy 2, revisit an order 1. Buy = product page → add to cart (form,
302) → cart page (must list it) → `POST /api/buyer/orders` (1 unit, jne, Idempotency-Key) → payment page →
"Bayar" on the payment simulator (form, 302; its signed notification goes through the real webhook) →
payment status (must be paid) → tracking page `/pesanan/<id>/` → `GET /api/buyer/orders/<id>/track`.
Any other answer than 200 (201 checkout, 302 the two forms) or a missing piece counts as an error.
Times in ms (locust's percentiles, rounded by locust to 2 significant digits above 100 ms).

| step | requests | errors | p50 | p95 | p99 | max | req/s |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Failures: {("none" if not failure_lines else chr(10) + chr(10).join(failure_lines))}

Database after the run: orders placed {figures["placed"]}, paid {figures["paid"]} (by status
{figures["by_status"]}); shipments {figures["shipments"]}, booked by the worker {figures["booked"]};
tasks enqueued during the run {figures["tasks"]}
(`orders_expire_unpaid` is due {expiry} min after each order: still ready);
failed tasks {figures["failed_tasks"] or "none"};
products with negative stock {figures["negative_stock"]}; soak products' stock taken {figures["stock_taken"]} =
units held by their live orders {figures["stock_held"]}.

RSS (VmRSS of the process and its children, MB):

| when | s into the run | web server | task worker |
|---|---|---|---|
{memory_rows}

Verdict:
{chr(10).join("- " + line for line in verdict)}
"""
    print(body)
    print(f"locust exit code {locust_rc}; data, result and logs in {workdir}")
    if not args.no_write:
        write_section("Soak", body)
    return 0 if ok else 1


def _locust_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("locust")
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:  # before the servers started (the run itself stops them in main)
        raise SystemExit(130) from None
