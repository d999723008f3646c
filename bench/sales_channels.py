"""Sales-channel stock push benchmark (issue 14): `python bench/sales_channels.py` (or `make bench-channels`).

Not named channels.py: a script in bench/ would shadow the `channels` package for every other bench.

1. Own database (EMBEDDED_DB_NAME, default `tokoblitar_bench_channels`), migrated; the marketplace
   rows of earlier runs (connections, listings, simulator state, queued tasks) are cleared.
   One seller with `marketplace_sync` on and 100 active products (stock 100, one photo each).
2. Shopee, Lazada and Tokopedia (TikTok Shop) connected through `marketplace_connect` with the
   simulators' consent codes (all three in simulator mode), the products synced with
   `sync_products`; items Lazada keeps in QC and TikTok Shop in audit are approved by moving their
   submission time a day back on the platform side (the simulators' own clock rule), then read
   back with `listings_review_poll` so every listing is live.
3. The background tasks run for real: `python -m tokoblitar.worker --no-periodic` as a
   subprocess against the bench database (its default 1 s idle poll).
4. 1,000 stock changes over the 100 products through the real paths: the seller's stock edit
   (`catalog.services.seller_product_update`, absolute number) and the checkout's guarded
   update (`orders.services.stock_take_guarded`, as a channel order takes stock), both
   publishing `stock.changed`. By default (`--group 1`) the products go one after another, each
   getting its 10 changes back to back (a burst of under a second here); `--group N` changes N
   products round-robin (longer, interleaved bursts).
5. Observation without touching the code under test: two triggers on the bench database log
   every product stock write and every write of an item on a simulated platform (the platform
   side of an `update_stock` / `price_quantity/update` / `inventory/update` call) with
   `clock_timestamp()`. From them: pushes per platform, coalescing ratio, time from a product's
   last change until all three platforms show its final stock, and stale pushes (a push whose
   number belongs to an older stock version than one already pushed to that item, or a
   platform ending on a number other than ours).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Never bench/ itself on sys.path: bench/webhooks.py would shadow the `webhooks` app.
sys.path[0] = str(ROOT)
os.environ.setdefault("EMBEDDED_DB_NAME", "tokoblitar_bench_channels")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")
for _kind in ("SHOPEE", "LAZADA", "TIKTOK_SHOP"):
    os.environ[f"{_kind}_PROVIDER"] = "simulator"
os.environ["ALLOW_SIMULATORS"] = "true"
# Loopback only: the simulators never call out, and nothing here delivers their pushes.
os.environ["SITE_URL"] = "http://127.0.0.1:8000"

from bench.common import machine_info, now_utc, percentile, write_section  # noqa: E402

PLATFORMS = ["shopee", "lazada", "tokopedia"]
PUSH_TASK = "marketplace.tasks.stock_push_task"

TRIGGERS_SQL = """
CREATE TABLE IF NOT EXISTS bench_channels_platform_write (
    id bigserial PRIMARY KEY, platform text, key text, stock int, at timestamptz);
CREATE TABLE IF NOT EXISTS bench_channels_stock_write (
    id bigserial PRIMARY KEY, product_id uuid, stock int, at timestamptz);
CREATE OR REPLACE FUNCTION bench_channels_sim_log() RETURNS trigger AS $$
BEGIN
    INSERT INTO bench_channels_platform_write (platform, key, stock, at) VALUES (
        NEW.platform, NEW.key,
        CASE WHEN NEW.platform = 'shopee' THEN (NEW.data->>'stock')::int
             ELSE (NEW.data->'skus'->0->>'quantity')::int END,
        clock_timestamp());
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION bench_channels_stock_log() RETURNS trigger AS $$
BEGIN
    INSERT INTO bench_channels_stock_write (product_id, stock, at) VALUES (NEW.id, NEW.stock, clock_timestamp());
    RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS bench_channels_sim ON marketplace_simulatorrecord;
CREATE TRIGGER bench_channels_sim AFTER INSERT OR UPDATE ON marketplace_simulatorrecord
    FOR EACH ROW WHEN (NEW.kind IN ('item', 'product')) EXECUTE FUNCTION bench_channels_sim_log();
DROP TRIGGER IF EXISTS bench_channels_stock ON catalog_product;
CREATE TRIGGER bench_channels_stock AFTER UPDATE OF stock ON catalog_product
    FOR EACH ROW WHEN (OLD.stock IS DISTINCT FROM NEW.stock) EXECUTE FUNCTION bench_channels_stock_log();
"""
DROP_TRIGGERS_SQL = """
DROP TRIGGER IF EXISTS bench_channels_sim ON marketplace_simulatorrecord;
DROP TRIGGER IF EXISTS bench_channels_stock ON catalog_product;
"""


def sql(statement: str, params: list | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else []


def platform_stock(record) -> int | None:  # noqa: ANN001 - SimulatorRecord
    data = record.data or {}
    if record.platform == "shopee":
        return data.get("stock")
    skus = data.get("skus") or [{}]
    return skus[0].get("quantity")


def wait_until(check, timeout: float, what: str, step: float = 0.5) -> float:  # noqa: ANN001
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(step)
    return time.monotonic() - started


def main() -> int:  # noqa: C901, PLR0912, PLR0915 - one linear benchmark script
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100)
    parser.add_argument("--changes", type=int, default=1000, help="total stock changes (spread evenly)")
    parser.add_argument("--group", type=int, default=1, help="products changed round-robin at once")
    parser.add_argument("--take-share", type=float, default=0.3, help="share of changes by guarded take")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--no-write", action="store_true", help="print only, do not touch RESULTS.md")
    args = parser.parse_args()
    per_product = args.changes // args.products

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    from django.db import connection, transaction
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from accounts.models import User
    from catalog.models import Product, ProductImage
    from catalog.services import seller_product_update
    from marketplace.channels.base import ChannelError
    from marketplace.models import (
        MarketplaceConnection,
        MarketplaceListing,
        SimulatorRecord,
        StockPushRequest,
    )
    from marketplace.services import get_channel, listings_review_poll, marketplace_connect, sync_products
    from orders.services import stock_take_guarded
    from stores.models import StoreFeatureFlags
    from stores.services import store_create_for_seller
    from tokoblitar.errors import Conflict

    # A clean slate for the marketplace side of this (bench-only) database.
    DBTaskResult.objects.filter(task_path__startswith="marketplace.").delete()
    StockPushRequest.objects.all().delete()
    MarketplaceListing.objects.all().delete()
    MarketplaceConnection.objects.all().delete()
    SimulatorRecord.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(TRIGGERS_SQL)
        cursor.execute("TRUNCATE bench_channels_platform_write, bench_channels_stock_write")

    tag = os.urandom(3).hex()
    seller = User.objects.create(email=f"bench.ch.{tag}@contoh.id", full_name="Penjual Bench", role="seller")
    store = store_create_for_seller(owner=seller, name=f"Toko Kanal Bench {tag}")
    StoreFeatureFlags.objects.update_or_create(store=store, defaults={"marketplace_sync": True})
    products = [
        Product.objects.create(
            store=store,
            name=f"Kopi Bubuk Blitar {tag} {n}",
            slug=f"kopi-bubuk-blitar-{tag}-{n}",
            price=25_000 + 500 * n,
            stock=100,
            weight_gram=250,
            status=Product.Status.ACTIVE,
        )
        for n in range(args.products)
    ]
    ProductImage.objects.bulk_create(
        ProductImage(product=p, image=f"products/{p.slug}.jpg", position=0) for p in products
    )

    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    worker_log = tempfile.NamedTemporaryFile(prefix="bench-channels-worker-", suffix=".log", delete=False)  # noqa: SIM115
    worker_cmd = [sys.executable, "-m", "tokoblitar.worker", "--no-periodic"]
    worker = subprocess.Popen(worker_cmd, cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        setup_started = time.monotonic()
        connections = {}
        for platform in PLATFORMS:
            consent = get_channel(platform).simulate_consent(shop_name=f"Toko {platform} {tag}")
            params = {k: v for k, v in consent.items() if k != "code"}
            connections[platform] = marketplace_connect(
                actor=seller, platform=platform, code=consent["code"], params=params
            )
            result = sync_products(actor=seller, platform=platform, product_ids=[])
            print(platform, "sync", result, flush=True)
        listings = MarketplaceListing.objects.filter(store=store)
        # Throttled creates are retried by the worker (sync_retry_task, with backoff).
        wait_until(
            lambda: listings.exclude(external_id="").count() == 3 * args.products,
            args.timeout,
            "every product listed on all three platforms",
        )
        # The platforms' review: a day passes on their side for our new items (QC / audit).
        day_ago = time.time() - 86_400
        for record in SimulatorRecord.objects.filter(platform="lazada", kind="item"):
            record.data["created"] = day_ago
            record.save(update_fields=["data"])
        for record in SimulatorRecord.objects.filter(platform="tokopedia", kind="product"):
            if "submitted" in record.data:
                record.data["submitted"] = day_ago
                record.save(update_fields=["data"])

        def reviewed() -> bool:
            for platform in ("lazada", "tokopedia"):
                try:
                    listings_review_poll(connection=MarketplaceConnection.objects.get(pk=connections[platform].pk))
                except ChannelError:
                    pass  # throttled (Lazada 20 calls/s per path): poll again
            return not listings.filter(status=MarketplaceListing.Status.PENDING_REVIEW).exists()

        wait_until(reviewed, args.timeout, "QC/audit approval", step=1.0)
        statuses = dict(listings.values("status").annotate(n=Count("id")).values_list("status", "n"))
        setup_seconds = time.monotonic() - setup_started
        print("listings", statuses, f"setup {setup_seconds:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_channels_platform_write, bench_channels_stock_write")

        # --- the changes -----------------------------------------------------------------
        rng = random.Random(20261201)  # noqa: S311 - reproducible workload, not security
        ids = [p.pk for p in products]
        names = {p.pk: p.name for p in products}
        kinds = defaultdict(int)
        change_started = time.monotonic()
        for start in range(0, len(ids), args.group):
            group = ids[start : start + args.group]
            for _round in range(per_product):
                for product_id in group:
                    current = Product.objects.filter(pk=product_id).values_list("stock", flat=True).get()
                    if rng.random() < args.take_share and current > 0:
                        quantity = min(current, rng.randint(1, 3))
                        try:
                            with transaction.atomic():
                                stock_take_guarded([(product_id, quantity, names[product_id])], store_id=store.pk)
                            kinds["guarded take"] += 1
                            continue
                        except Conflict:
                            pass
                    new = current
                    while new == current:
                        new = rng.randint(0, 200)
                    seller_product_update(actor=seller, product_id=product_id, data={"stock": new})
                    kinds["seller edit"] += 1
        change_seconds = time.monotonic() - change_started
        print(f"{sum(kinds.values())} changes in {change_seconds:.1f} s", dict(kinds), flush=True)

        pushes = DBTaskResult.objects.filter(task_path=PUSH_TASK)

        def settled() -> bool:
            if pushes.filter(finished_at__isnull=True).exists():
                return False
            ours = dict(Product.objects.filter(pk__in=ids).values_list("pk", "stock"))
            keys = {(x.platform, x.external_id): x.product_id for x in listings}
            for record in SimulatorRecord.objects.filter(kind__in=["item", "product"]):
                product_id = keys.get((record.platform, record.key))
                if product_id is not None and platform_stock(record) != ours[product_id]:
                    return False
            return True

        try:
            settle_seconds = wait_until(settled, args.timeout, "the platforms to settle")
            settled_ok = True
        except SystemExit:
            settle_seconds, settled_ok = args.timeout, False
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        with connection.cursor() as cursor:
            cursor.execute(DROP_TRIGGERS_SQL)

    # --- analysis --------------------------------------------------------------------------
    key_to_product = {(x.platform, x.external_id): x.product_id for x in listings}
    writes: dict[tuple[str, object], list[tuple[float, int]]] = defaultdict(list)
    for platform, key, stock, at in sql(
        "SELECT platform, key, stock, at FROM bench_channels_platform_write ORDER BY id"
    ):
        product_id = key_to_product.get((platform, key))
        if product_id is not None:
            writes[(platform, product_id)].append((at.timestamp(), stock))
    versions: dict[object, list[tuple[float, int]]] = defaultdict(list)
    for product_id, stock, at in sql("SELECT product_id, stock, at FROM bench_channels_stock_write ORDER BY id"):
        versions[product_id].append((at.timestamp(), stock))
    total_changes = sum(len(v) for v in versions.values())
    final = dict(Product.objects.filter(pk__in=ids).values_list("pk", "stock"))
    final_platform = {}
    for record in SimulatorRecord.objects.filter(kind__in=["item", "product"]):
        product_id = key_to_product.get((record.platform, record.key))
        if product_id is not None:
            final_platform[(record.platform, product_id)] = platform_stock(record)

    per_platform = {p: sum(len(writes[(p, pid)]) for pid in ids) for p in PLATFORMS}
    final_mismatch = sum(final_platform.get((p, pid)) != final[pid] for p in PLATFORMS for pid in ids)
    out_of_order = unknown_value = overtaken = 0
    visible_ms: list[float] = []
    never_visible = 0
    for pid in ids:
        history = versions[pid]  # (time, stock) in write order
        last_change = history[-1][0] if history else 0.0
        ready_at = last_change
        for platform in PLATFORMS:
            seq = writes[(platform, pid)]
            best = -1
            for at, stock in seq:
                # The stock version this push carries: the newest one with that number written
                # before the platform write (the most generous reading).
                index = max((i for i, (t, s) in enumerate(history) if s == stock and t <= at), default=None)
                if index is None:
                    if stock != 100 or any(t <= at for t, _s in history):
                        unknown_value += 1  # a number we never had (100 = the stock before any change)
                    index = -1
                if index < best:
                    out_of_order += 1
                best = max(best, index)
                current = next((s for t, s in reversed(history) if t <= at), 100)
                overtaken += stock != current
            # When this platform shows the final number for good (after our last change).
            last_other = max((at for at, stock in seq if stock != final[pid]), default=None)
            shown = [at for at, stock in seq if stock == final[pid] and (last_other is None or at > last_other)]
            if not seq or seq[-1][1] != final[pid]:
                never_visible += 1
                continue
            ready_at = max(ready_at, shown[0] if shown else last_change)
        visible_ms.append(max(ready_at - last_change, 0.0) * 1000)

    bursts = [(v[-1][0] - v[0][0]) * 1000 for v in versions.values() if v]
    results = [r for r in DBTaskResult.objects.filter(task_path=PUSH_TASK).values_list("status", "return_value")]
    task_counts = defaultdict(int)
    for status, value in results:
        task_counts[f"task {status.lower()}"] += 1
        for key, n in (value or {}).items():
            task_counts[key] += n
    pushes_total = sum(per_platform.values())
    stale = out_of_order + unknown_value + final_mismatch
    ok = (
        settled_ok
        and stale == 0
        and task_counts.get("pushed", 0) == pushes_total
        and never_visible == 0
        and total_changes == args.products * per_product
    )

    ratio_all = f"{3 * total_changes / pushes_total if pushes_total else 0:.1f} (3 × {total_changes} ÷ {pushes_total})"
    timed_out = "" if settled_ok else " (TIMED OUT)"
    command = (
        f".venv/bin/python bench/sales_channels.py --products {args.products} --changes {args.changes} "
        f"--group {args.group} --take-share {args.take_share}"
    )
    rows = "\n".join(
        f"| {p} | {per_platform[p]} | {total_changes / per_platform[p]:.1f} |"
        if per_platform[p]
        else f"| {p} | 0 | - |"
        for p in PLATFORMS
    )
    body = f"""
Run: {now_utc()} on {machine_info()}; embedded PostgreSQL (`{connection.settings_dict["NAME"]}` database).
**The machine was shared and loaded** (other engineers running test suites on its 2 cores at the same time),
so the times are noisy upper bounds; the counts and the staleness check do not depend on load.
Command: `make bench-channels` (= `{command}`).

Setup: one seller, {args.products} active products (stock 100), Shopee, Lazada and Tokopedia (TikTok Shop)
connected through `marketplace_connect` with the simulators' consent codes (all simulators), every product
synced with `sync_products` ({setup_seconds:.0f} s, any throttled creates retried by the worker);
Lazada QC and TikTok Shop audit passed by moving the items' submission a day back on the platform side, then
`listings_review_poll` → listings {statuses}.
Tasks: the real worker, `python -m tokoblitar.worker --no-periodic` as a subprocess on the bench database
(idle poll 1 s); the push task waits `COALESCE_SECONDS` = 1 s after the first change of a burst.
Changes: {total_changes} stock changes ({per_product} per product) in {change_seconds:.1f} s from one client,
{dict(kinds)}: the seller's stock edit `seller_product_update` and the guarded update `stock_take_guarded`,
both publishing `stock.changed`. {args.group} product(s) at a time, round-robin: a product's burst
(first to last of its {per_product} changes) took p50 {percentile(bursts, 50):.0f} ms, max {max(bursts or [0]):.0f} ms.
Observed by database triggers on the bench database (product stock writes; simulated platform item writes,
i.e. every accepted `update_stock` / `price_quantity/update` / `inventory/update`), `clock_timestamp()`.

| platform | pushes (platform-side stock updates) | coalescing ratio (changes ÷ pushes) |
|---|---|---|
{rows}
| all three | {pushes_total} | {ratio_all} |

Push tasks (their return values; `pushed` must equal the platform writes above): {dict(task_counts)}.
Time from a product's LAST change until all three platforms show its final stock (over {len(visible_ms)}
products): p50 **{percentile(visible_ms, 50):.0f} ms**, p95 **{percentile(visible_ms, 95):.0f} ms**,
max {max(visible_ms or [0]):.0f} ms; all settled {settle_seconds:.1f} s after the last change{timed_out}.
Stale pushes: **{stale}** = {out_of_order} pushed out of order (a number of an older stock version than one
already pushed to that item) + {unknown_value} numbers we never had + {final_mismatch} platform items ending on
a number other than ours ({never_visible} product×platform never showing the final stock)
→ {"**met**" if ok else "**NOT met**"}.
Pushes whose number was no longer our stock when it reached the platform (a change landed while the push
was in flight; a later push carried the newer number): {overtaken} — not stale, the next push follows.
Not measured: the exact instant a push decided its number (it reads the stock under the listing lock just
before the call; the trigger times the platform write, a few ms later), and failed calls that wrote nothing
(throttling answers) other than through the task counts above.
"""
    print(body)
    if not args.no_write:
        write_section("Sales channels", body)
    print("worker log:", worker_log.name)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
