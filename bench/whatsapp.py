"""WhatsApp inbound webhook benchmark (issue 15): `python bench/whatsapp.py` (or `make bench-whatsapp`).

1. Own database (EMBEDDED_DB_NAME, default `tokoblitar_bench_whatsapp`), migrated; one store with
   the inbox switched on and a linked (WORKING) simulator session.
2. 5,000 WAHA `message` events across 200 chats: 3,500 unique provider message ids plus 1,500
   duplicates (30%: the same signed body again, as WAHA's retries and injected duplicates send
   it), shuffled, each signed with `X-Webhook-Hmac` (HMAC-SHA512) exactly as the simulator and
   WAHA sign them, POSTed by concurrent keep-alive clients to `POST /api/webhooks/waha` on the
   real ASGI app (daphne, DEBUG off).
3. Floor, measured in the same run on the same server: the same number of signed events for a
   session this installation does not know: the same view, HMAC check, raw row stored and
   outcome recorded, without the inbox work (contact, chat, message, unread count, live push).
4. Checks exactly one message per unique provider id (3,500 rows), 200 chats whose unread counts
   sum to 3,500, every duplicate answered `duplicate`; writes the "WhatsApp webhooks" section of
   bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import secrets
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Never bench/ itself on sys.path: this file would shadow the `whatsapp` app.
sys.path[0] = str(ROOT)
os.environ.setdefault("EMBEDDED_DB_NAME", "tokoblitar_bench_whatsapp")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")
os.environ["WHATSAPP_PROVIDER"] = "simulator"
os.environ["ALLOW_SIMULATORS"] = "true"
os.environ["RATELIMIT_ENABLE"] = "false"
# One key for this process and the server: the seller's session cookie is signed with it.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))

from bench.common import bench_server, machine_info, now_utc, percentile, write_section  # noqa: E402

PATH = "/api/webhooks/waha"


def send_all(port: int, bodies: list[tuple[bytes, dict]], clients: int) -> tuple[Counter, Counter, list[float], float]:
    """POST every (body, headers) with `clients` keep-alive connections; returns HTTP statuses,
    outcomes, latencies (ms) and wall time (s)."""
    work: queue.Queue = queue.Queue()
    for item in bodies:
        work.put(item)
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
                body, headers = work.get_nowait()
            except queue.Empty:
                break
            started = time.perf_counter()
            conn.request("POST", PATH, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            try:
                outcome = json.loads(data).get("outcome", "error")
            except ValueError:
                outcome = "error"
            with lock:
                statuses[response.status] += 1
                outcomes[outcome] += 1
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


def push_latencies(port: int, cookie: str, items: list[tuple[bytes, dict, str]]) -> tuple[list[float], int]:
    """Sequentially POST each (body, headers, provider id) while a signed-in seller's
    `ws/whatsapp/inbox/` socket listens; returns the ms from sending the webhook to the socket
    receiving that message's push, and how many pushes never came (10 s each)."""
    import asyncio

    import websockets

    async def run() -> tuple[list[float], int]:
        url = f"ws://127.0.0.1:{port}/ws/whatsapp/inbox/"
        headers = {"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"}
        latencies: list[float] = []
        lost = 0
        async with websockets.connect(url, additional_headers=headers) as ws:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for body, hdrs, provider_id in items:
                started = time.perf_counter()

                def post(body=body, hdrs=hdrs) -> None:
                    conn.request("POST", PATH, body=body, headers=hdrs)
                    conn.getresponse().read()

                sent = asyncio.get_running_loop().run_in_executor(None, post)
                try:
                    async with asyncio.timeout(10):
                        while True:
                            data = json.loads(await ws.recv())
                            if (data.get("message") or {}).get("provider_message_id") == provider_id:
                                latencies.append((time.perf_counter() - started) * 1000)
                                break
                except TimeoutError:
                    lost += 1
                await sent
            conn.close()
        return latencies, lost

    return asyncio.run(run())


def seller_cookie(user) -> str:  # noqa: ANN001 - accounts.User
    """A signed-in session for `user`, as the login view would leave it (the socket's cookie)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def event(session: str, chat: int, n: int) -> dict:
    chat_id = f"62812{chat:08d}@c.us"
    return {
        "id": "evt_" + secrets.token_hex(13),
        "timestamp": int(time.time() * 1000),
        "event": "message",
        "session": session,
        "metadata": {},
        "me": {"id": "6285100000001@c.us", "pushName": "Toko Bench"},
        "payload": {
            "id": f"false_{chat_id}_{n:06d}{secrets.token_hex(6).upper()}",
            "timestamp": int(time.time()),
            "from": chat_id,
            "fromMe": False,
            "to": "6285100000001@c.us",
            "body": f"Kak, pesanan nomor {n} masih ada?",
            "hasMedia": False,
            "ack": 1,
            "ackName": "SERVER",
            "_data": {"notifyName": f"Pembeli {chat}"},
        },
        "engine": "WEBJS",
        "environment": {"version": "2024.10.8", "engine": "WEBJS", "tier": "PLUS", "browser": None},
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--duplicates", type=float, default=0.30)
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--push-probes", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print only, do not touch RESULTS.md")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)
    from django.db import connection

    from accounts.models import User
    from stores.models import StoreFeatureFlags
    from stores.services import store_create_for_seller
    from whatsapp.gateways import get_whatsapp_gateway
    from whatsapp.gateways.base import waha_hmac
    from whatsapp.models import Chat, Message, WhatsAppSession

    key = get_whatsapp_gateway().hmac_key
    tag = secrets.token_hex(3)
    seller = User.objects.create(email=f"bench.wa.{tag}@contoh.id", full_name="Penjual Bench", role="seller")
    store = store_create_for_seller(owner=seller, name=f"Toko WA Bench {tag}")
    StoreFeatureFlags.objects.update_or_create(store=store, defaults={"whatsapp_inbox": True})
    session = WhatsAppSession.objects.create(store=store, name=f"tb-bench-{tag}", provider="simulator", state="WORKING")

    rng = random.Random(20261201)  # noqa: S311 - reproducible shuffle, not security
    duplicates = round(args.events * args.duplicates)
    unique = args.events - duplicates

    def signed(body: dict) -> tuple[bytes, dict]:
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Webhook-Hmac": waha_hmac(key, raw),
            "X-Webhook-Hmac-Algorithm": "sha512",
            "X-Webhook-Request-Id": body["id"],
        }
        return raw, headers

    bodies = [signed(event(session.name, n % args.chats, n)) for n in range(unique)]
    bodies += rng.choices(bodies, k=duplicates)
    rng.shuffle(bodies)
    floor_bodies = [signed(event(f"tb-unknown-{tag}", n % args.chats, n)) for n in range(args.events)]

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SITE_URL": "http://127.0.0.1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MAX": os.environ.get("DB_POOL_MAX", "20"),
    }
    with bench_server(env, ("/static/css/app.css",)) as (port, _server):
        send_all(port, floor_bodies[:200], args.clients)  # warm-up: connections, imports
        f_status, f_outcomes, f_lat, f_wall = send_all(port, floor_bodies, args.clients)
        statuses, outcomes, latencies, wall = send_all(port, bodies, args.clients)
        # Webhook → inbox page: fresh messages one at a time while the seller's socket listens.
        probes = []
        for n in range(args.push_probes):
            body = event(session.name, n % args.chats, 900_000 + n)
            raw, headers = signed(body)
            probes.append((raw, headers, body["payload"]["id"]))
        push_ms, push_lost = push_latencies(port, seller_cookie(seller), probes)

    probe_ids = [pid for _raw, _headers, pid in probes]
    stored = Message.objects.filter(session=session).exclude(provider_message_id__in=probe_ids).count()
    distinct = (
        Message.objects.filter(session=session)
        .exclude(provider_message_id__in=probe_ids)
        .values("provider_message_id")
        .distinct()
        .count()
    )
    chats = Chat.objects.filter(session=session)
    unread = sum(chats.values_list("unread_count", flat=True)) - len(probes)
    ok = (
        stored == unique
        and distinct == unique
        and chats.count() == args.chats
        and unread == unique
        and statuses.get(200, 0) == len(bodies)
        and outcomes.get("stored", 0) == unique
        and outcomes.get("duplicate", 0) == duplicates
        and push_lost == 0
    )
    rate, floor_rate = len(bodies) / wall, len(floor_bodies) / f_wall

    def row(name: str, n: int, st: Counter, oc: Counter, lat: list[float], w: float) -> str:
        answers = ", ".join(f"{k}×{v}" for k, v in sorted(st.items()))
        outs = ", ".join(f"{k} {v}" for k, v in sorted(oc.items()))
        return (
            f"| {name} | {n} | {answers} | {outs} | {w:.2f} s | **{n / w:.0f}** | "
            f"{percentile(lat, 50):.1f} | {percentile(lat, 95):.1f} | {max(lat):.0f} |"
        )

    command = (
        f".venv/bin/python bench/whatsapp.py --events {args.events} --duplicates {args.duplicates} "
        f"--chats {args.chats} --clients {args.clients} --push-probes {args.push_probes}"
    )
    body_md = f"""
Run: {now_utc()} on {machine_info()}; embedded PostgreSQL (`{connection.settings_dict["NAME"]}` database).
The machine was shared with other engineers running test suites at the same time, so absolute
figures are noisy; the ratio to the floor (measured in the same run, same server) is the figure to compare.
Command: `make bench-whatsapp` (= `{command}`).
{len(bodies)} signed WAHA `message` events ({unique} unique provider ids across {args.chats} chats + {duplicates}
duplicates = {args.duplicates:.0%}), shuffled, POSTed by {args.clients} concurrent keep-alive clients to
`{PATH}` on daphne (one process, DEBUG off, RATELIMIT_ENABLE=false). Floor: {len(floor_bodies)} signed events
for an unknown session through the same view (HMAC-SHA512 check, raw row stored, outcome recorded; no inbox work).

| run | events | HTTP answers | outcomes | wall time | events/s | p50 ms | p95 ms | max ms |
|---|---|---|---|---|---|---|---|---|
{row("floor (unknown session)", len(floor_bodies), f_status, f_outcomes, f_lat, f_wall)}
{row("inbox events", len(bodies), statuses, outcomes, latencies, wall)}

Inbox events/s = **{rate / floor_rate:.0%} of the floor**.
Correctness: {stored} messages stored for {unique} unique provider ids ({distinct} distinct), {chats.count()} chats,
unread counts summing to {unread}, {outcomes.get("duplicate", 0)} of {duplicates} duplicates answered `duplicate`
→ {"**met**" if ok else "**NOT met**"}. Each inbox event: raw row stored, signature checked, contact and chat
upserted, message inserted once (unique per session and provider id), unread count bumped, live push on commit.

Webhook → inbox page: {len(probes)} fresh messages sent one at a time while a signed-in seller's
`ws/whatsapp/inbox/` socket listened: time from sending the webhook to the socket receiving that
message's push p50 **{percentile(push_ms, 50):.0f} ms**, p95 **{percentile(push_ms, 95):.0f} ms**, max
{max(push_ms or [0]):.0f} ms; pushes lost: {push_lost}.
"""
    print(body_md)
    if not args.no_write:
        write_section("WhatsApp webhooks", body_md)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
