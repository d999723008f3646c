"""Checkout against its floor (issue 17 item 5): `python bench/checkout_floor.py` (`make bench-checkout-floor`).

Same run, same database, same concurrency:
  (floor) C threads, each with its own psycopg connection, loop over the SQL a successful
          checkout writes, raw: in one transaction the guarded stock UPDATE, the order INSERT,
          the item INSERT, the first history INSERT, the cart DELETE; then the payment INSERT.
          The INSERT statements are built from the models' own columns and values
          (`Field.get_db_prep_save`), so they write exactly the rows Django would.
  (http)  C keep-alive clients, each a buyer with an API token, loop `POST /api/buyer/orders`
          for one unit of a product with ample stock against the real server (DEBUG off,
          payment and shipping simulators, rate limits off).
Reported: orders/s of each, and checkout as a fraction of the floor. Both are timed over the same
window length after a warm-up; every order is checked in the database afterwards (count and
stock: stock before - orders = stock after).

Options: --clients, --duration, --warmup, --server (daphne|uvicorn|granian), --no-write.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EMBEDDED_DB_NAME", "tokoblitar_bench_orders")
os.environ["RATELIMIT_ENABLE"] = "false"
os.environ["PAYMENT_PROVIDER"] = "simulator"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")

from bench.common import machine_info, now_utc, percentile, write_section  # noqa: E402

STOCK = 1_000_000


def insert_sql(obj) -> tuple[str, list]:
    """INSERT of a model instance's concrete columns with Django's own value preparation."""
    from django.db import connection

    # Serial ids (AutoField) come from the table's own sequence, as in Django's INSERT.
    fields = [f for f in obj._meta.concrete_fields if "AutoField" not in f.get_internal_type()]
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Table and column names come from our own models, never from input.
    return f"INSERT INTO {obj._meta.db_table} ({columns}) VALUES ({marks})", values  # noqa: S608


def floor_worker(dsn: dict, product, buyer, store, stop_at: float, start_at: float, out: list, lock) -> None:
    """Raw checkouts back to back on one connection; appends (latency ms) inside the window."""
    import psycopg
    from django.utils import timezone

    from orders.models import Order, OrderItem, OrderStatusChange, Payment, new_order_number

    conn = psycopg.connect(**dsn, autocommit=False)
    local: list[float] = []
    with conn:
        cur = conn.cursor()
        while time.time() < stop_at:
            t0 = time.perf_counter()
            cur.execute(
                "UPDATE catalog_product SET stock = stock - 1 WHERE id = %s AND stock >= 1 "
                "AND status = 'active' AND deleted_at IS NULL",
                [product.pk],
            )
            assert cur.rowcount == 1  # noqa: S101 - ample stock
            order = Order(
                id=uuid.uuid4(),
                number=new_order_number(),
                buyer_id=buyer.pk,
                store_id=store.pk,
                subtotal=product.price,
                shipping_cost=9_000,
                total=product.price + 9_000,
                courier="jne",
                courier_service="REG",
                shipping_etd="2",
                weight_gram=product.weight_gram,
                shipping_address={"name": "Pembeli Bench", "district": "Sananwetan"},
            )
            cur.execute(*insert_sql(order))
            item = OrderItem(
                order=order,
                product_id=product.pk,
                product_name=product.name,
                price=product.price,
                quantity=1,
                weight_gram=product.weight_gram,
            )
            cur.execute(*insert_sql(item))
            history = OrderStatusChange(
                order=order,
                from_status="",
                to_status="pending_payment",
                cause="order placed",
                cause_code="order_placed",
            )
            cur.execute(*insert_sql(history))
            cur.execute(
                "DELETE FROM orders_cartitem WHERE buyer_id = %s AND product_id = ANY(%s)", [buyer.pk, [product.pk]]
            )
            conn.commit()
            payment = Payment(
                order=order,
                provider="simulator",
                transaction_id=str(uuid.uuid4()),
                status="pending",
                gross_amount=order.total,
                qr_string="00020101021226",
                expires_at=timezone.now(),
            )
            cur.execute(*insert_sql(payment))
            conn.commit()
            if time.time() >= start_at:
                local.append((time.perf_counter() - t0) * 1000)
    with lock:
        out.extend(local)


def http_worker(
    port: int, token: str, body: str, stop_at: float, start_at: float, out: list, lock, errors: list
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    local: list[float] = []
    while time.time() < stop_at:
        t0 = time.perf_counter()
        try:
            conn.request(
                "POST",
                "/api/buyer/orders",
                body=body,
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            )
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            status = type(exc).__name__
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        if status != 201:
            with lock:
                errors.append(status)
            continue
        if time.time() >= start_at:
            local.append((time.perf_counter() - t0) * 1000)
    with lock:
        out.extend(local)


def run_window(target, args_for, clients: int, warmup: float, duration: float) -> tuple[list[float], float]:
    start_at = time.time() + warmup
    stop_at = start_at + duration
    out: list[float] = []
    lock = threading.Lock()
    failures: list[BaseException] = []

    def guarded(*args) -> None:
        try:
            target(*args)
        except BaseException as exc:  # noqa: BLE001 - reported below; a failed client voids the run
            with lock:
                failures.append(exc)

    threads = [
        threading.Thread(target=guarded, args=(*args_for(i), stop_at, start_at, out, lock)) for i in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        raise SystemExit(f"{len(failures)} client(s) failed: {failures[0]!r}")
    return out, duration


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--server", default="daphne")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from bench.checkout import ADDRESS, make_store_and_buyers, setup_django, start_server, stop_server

    setup_django()
    from django.db import connection

    from orders.models import Order

    tag = secrets.token_hex(3)
    store, product, tokens = make_store_and_buyers(buyers=args.clients, stock=STOCK, tag=tag)
    from accounts.models import User

    buyers = list(User.objects.filter(email__startswith=f"bench.buyer.{tag}.").order_by("email"))
    settings_dict = connection.settings_dict
    dsn = {
        "dbname": settings_dict["NAME"],
        "user": settings_dict["USER"],
        "host": settings_dict["HOST"],
        "port": settings_dict.get("PORT") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    dsn = {k: v for k, v in dsn.items() if v}
    connection.close()

    floor_lat, window = run_window(
        floor_worker, lambda i: (dsn, product, buyers[i], store), args.clients, args.warmup, args.duration
    )
    floor_rate = len(floor_lat) / window

    body = json.dumps(
        {
            "store_id": str(store.pk),
            "items": [{"product_id": str(product.pk), "quantity": 1}],
            "shipping_address": ADDRESS,
            "courier": "jne",
        }
    )
    from bench.common import free_port

    port = free_port()
    server = start_server(port, server_name=args.server)
    errors: list = []
    try:
        http_lat, _ = run_window(
            lambda *a: http_worker(*a[:5], a[5], a[6], errors),
            lambda i: (port, tokens[i], body),
            args.clients,
            args.warmup,
            args.duration,
        )
    finally:
        stop_server(server)
    http_rate = len(http_lat) / window

    product.refresh_from_db()
    orders = Order.objects.filter(store=store).count()
    consistent = product.stock == STOCK - orders
    ratio = http_rate / floor_rate if floor_rate else 0.0
    rows = "\n".join(
        [
            f"| (floor) raw SQL of a checkout, {args.clients} connections | **{floor_rate:.1f}** | "
            f"{percentile(floor_lat, 50):.1f} | {percentile(floor_lat, 95):.1f} | — |",
            f"| (http) `POST /api/buyer/orders`, {args.clients} clients, {args.server} | **{http_rate:.1f}** | "
            f"{percentile(http_lat, 50):.1f} | {percentile(http_lat, 95):.1f} | {len(errors)} |",
        ]
    )
    verdict = "consistent" if consistent else "INCONSISTENT"
    command = (
        f".venv/bin/python bench/checkout_floor.py --clients {args.clients} --duration {args.duration:g} "
        f"--warmup {args.warmup:g} --server {args.server}"
    )
    body_md = f"""
Run: {now_utc()} on {machine_info()}; load average {" / ".join(f"{x:.2f}" for x in os.getloadavg())}.
Command: `make bench-checkout-floor` (= `{command}`).
Same database, same product (stock {STOCK:,}), {args.clients} concurrent clients,
{args.warmup:g} s warm-up then {args.duration:g} s timed, one after the other.

| path | orders/s | p50 ms | p95 ms | non-201 |
|---|---|---|---|---|
{rows}

Checkout reaches **{ratio:.0%}** of its SQL floor.
Consistency: {orders} orders, stock {STOCK:,} → {product.stock:,} ({verdict}).
"""
    print(body_md)
    if not args.no_write:
        write_section("Checkout against its floor", body_md)
    return 0 if consistent and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
