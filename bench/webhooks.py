"""Payment webhook benchmark (SPEC §12): `python bench/webhooks.py` (or `make bench-webhooks`).

1. Own database (EMBEDDED_DB_NAME, default `tokoblitar_bench_orders`); places 700 orders in-process
   through the real order service (payment simulator, shipping simulator).
2. Builds one Midtrans notification per order, signed exactly as Midtrans signs them: 70% settlement,
   20% expire, 10% deny; adds 300 duplicates (30% of 1,000), shuffles, and sends all 1,000 concurrently
   (16 keep-alive clients) to `POST /api/webhooks/midtrans` on the real ASGI server (daphne).
3. Checks every order ended in the right state exactly once (one applied event, one status change,
   stock = initial − paid units) and reports notifications/s in the "Webhooks" section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import random
import secrets
import sys
import threading
import time
from collections import Counter
from pathlib import Path

# The project root first: run as `python bench/webhooks.py`, Python puts bench/ on sys.path,
# where this file and bench/checkout.py would shadow the apps of the same names.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.checkout import (  # noqa: E402 - sets up the bench environment first
    ADDRESS,
    make_store_and_buyers,
    setup_django,
    start_server,
    stop_server,
)
from bench.common import free_port, machine_info, now_utc, percentile, write_section  # noqa: E402

FINAL = {"settlement": "paid", "expire": "expired", "deny": "cancelled"}


def send_all(port: int, bodies: list[bytes], clients: int) -> tuple[Counter, Counter, list[float], float]:
    work: queue.Queue = queue.Queue()
    for body in bodies:
        work.put(body)
    statuses: Counter = Counter()
    outcomes: Counter = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        while True:
            try:
                body = work.get_nowait()
            except queue.Empty:
                break
            started = time.perf_counter()
            conn.request("POST", "/api/webhooks/midtrans", body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            outcome = json.loads(data).get("data", {}) or {}
            with lock:
                statuses[response.status] += 1
                outcomes[outcome.get("outcome", "error")] += 1
                latencies.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return statuses, outcomes, latencies, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=700)
    parser.add_argument("--duplicates", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--no-write", action="store_true", help="print only, do not touch RESULTS.md")
    args = parser.parse_args()

    setup_django()
    from accounts.models import User
    from catalog.models import Product
    from checkout.services import order_place
    from orders.models import Order, OrderStatusChange, PaymentEvent
    from orders.payments.base import STATUS_CODES, format_gross_amount, notification_signature
    from tokoblitar.providers import provider_config

    # The bench server runs the payment simulator, which verifies with this installation's secret.
    key = provider_config("payments").options["server_key"]

    tag = secrets.token_hex(3)
    initial_stock = args.orders * 2
    store, product, _tokens = make_store_and_buyers(buyers=0, stock=initial_stock, tag=tag)
    buyers = User.objects.bulk_create(
        [User(email=f"bench.wh.{tag}.{i}@contoh.id", full_name=f"Pembeli {i}", role="buyer") for i in range(50)]
    )
    placing = time.monotonic()
    orders = []
    for i in range(args.orders):
        placed = order_place(
            buyer=buyers[i % len(buyers)],
            store_id=store.pk,
            items=[{"product_id": product.pk, "quantity": 1 + i % 2}],
            shipping_address=ADDRESS,
            courier="jne",
        )
        orders.append(placed.order)
    place_seconds = time.monotonic() - placing

    rng = random.Random(20261123)  # noqa: S311 - reproducible shuffle, not security
    expected: dict[str, str] = {}
    bodies: list[bytes] = []
    for i, order in enumerate(orders):
        status = "settlement" if i % 10 < 7 else ("expire" if i % 10 < 9 else "deny")
        expected[order.number] = FINAL[status]
        code = STATUS_CODES[status]
        gross = format_gross_amount(order.total)
        body = {
            "transaction_time": "2026-11-23 10:00:00",
            "transaction_status": status,
            "transaction_id": f"bench-{order.number}",
            "status_message": "midtrans payment notification",
            "status_code": code,
            "signature_key": notification_signature(
                order_id=order.number, status_code=code, gross_amount=gross, key=key
            ),
            "payment_type": "qris",
            "order_id": order.number,
            "merchant_id": "G000BENCH",
            "gross_amount": gross,
            "fraud_status": "accept",
            "currency": "IDR",
        }
        bodies.append(json.dumps(body).encode())
    bodies += rng.choices(bodies, k=args.duplicates)
    rng.shuffle(bodies)

    port = free_port()
    server = start_server(port)
    try:
        statuses, outcomes, latencies, wall = send_all(port, bodies, args.clients)
    finally:
        stop_server(server)

    final = dict(Order.objects.filter(store=store).values_list("number", "status"))
    wrong = [n for n, status in expected.items() if final.get(n) != status]
    events = Counter(PaymentEvent.objects.filter(order__store=store).values_list("order__number", flat=True))
    changes = Counter(
        OrderStatusChange.objects.filter(order__store=store)
        .exclude(to_status="pending_payment")
        .values_list("order__number", flat=True)
    )
    once = all(events[n] == 1 for n in expected) and all(changes[n] == 1 for n in expected)
    paid_units = sum(1 + i % 2 for i, o in enumerate(orders) if expected[o.number] == "paid")
    stock = Product.objects.get(pk=product.pk).stock
    ok = not wrong and once and stock == initial_stock - paid_units and outcomes.get("duplicate", 0) == args.duplicates
    from django.db import connection

    total = len(bodies)
    answers = ", ".join(f"{k}×{v}" for k, v in sorted(statuses.items()))
    outcome_text = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    row = (
        f"| {total} | {answers} | {outcome_text} | {wall:.2f} s | **{total / wall:.1f}** | "
        f"{p50:.0f} | {p95:.0f} | {max(latencies):.0f} |"
    )
    command = "{} --orders {} --duplicates {} --clients {}".format(
        ".venv/bin/python bench/webhooks.py", args.orders, args.duplicates, args.clients
    )
    right = f"{len(expected) - len(wrong)}/{len(expected)}"
    body_md = f"""
Run: {now_utc()} on {machine_info()}; embedded PostgreSQL (`{connection.settings_dict["NAME"]}` database).
Command: `make bench-webhooks` (= `{command}`).
{args.orders} orders placed in-process through `order_place` ({place_seconds:.1f} s); {total} signed notifications
(70% settlement, 20% expire, 10% deny; {args.duplicates} duplicates), shuffled, sent by {args.clients} concurrent
keep-alive clients to daphne (one process, DEBUG off, RATELIMIT_ENABLE=false).

| notifications | HTTP answers | outcomes | wall time | notifications/s | p50 ms | p95 ms | max ms |
|---|---|---|---|---|---|---|---|
{row}

Correctness: every order in its expected final state ({right}), exactly one applied payment event
and one status change per order ({"yes" if once else "NO"}), stock {stock} = {initial_stock} − {paid_units} paid units,
{args.duplicates} duplicates answered `duplicate` → {"**met**" if ok else "**NOT met**"}.
Each notification: raw row stored first, sha512 signature checked (constant time), order row locked, idempotency
key checked, status applied (stock released for expire/deny), shipment booking enqueued and live push sent on commit.
"""
    print(body_md)
    if not args.no_write:
        write_section("Webhooks", body_md)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
