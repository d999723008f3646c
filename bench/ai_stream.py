"""AI stream benchmark (SPEC §12): `python bench/ai_stream.py`.

Target: a token from the model reaches the browser-side client within 20 ms (p95), no buffering.

1. Own database (EMBEDDED_DB_NAME, default `tokoblitar_bench_orders`, shared with the checkout
   bench), migrated; one seller with an API token.
2. A fake Anthropic API on 127.0.0.1 (`assistant.llm.fake_server`, the simulator's wire
   protocol over real HTTP) whose "model" writes text deltas every `--frame-ms` and stamps
   each delta with the wall clock at the moment it leaves the fake server.
3. The real ASGI app (one server process, DEBUG off) with the live backend pointed at it
   (`ANTHROPIC_BASE_URL`), so the path is SDK → our loop → SSE → client, as in production.
4. Clients POST /api/ai/chat and read the SSE stream as it arrives; for every text event the
   latency is (time received) − (stamp). Scenarios: 1, then N concurrent streams. Reported:
   latency p50/p95/max, streams open at once, and the server's OS threads during the run
   (an open stream must not hold a thread).
5. Writes the "AI stream" section of bench/RESULTS.md (unless --no-write).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Only the project root: bench/ on sys.path would shadow apps (bench/whatsapp.py vs whatsapp/).
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EMBEDDED_DB_NAME", "tokoblitar_bench_orders")
os.environ["RATELIMIT_ENABLE"] = "false"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")

from bench.common import free_port, machine_info, now_utc, percentile, write_section  # noqa: E402
from tokoblitar.asgi_servers import server_argv  # noqa: E402


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, skip_checks=True)


def start_server(port: int, extra_env: dict) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOW_SIMULATORS": "true",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RATELIMIT_ENABLE": "false",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        **extra_env,
    }
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        server_argv("127.0.0.1", port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/static/css/app.css")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not start")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


TARGET_P95_MS = 20.0
STAMP = re.compile(r"(\d{18,20})")


def _threads(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def one_stream(port: int, token: str, latencies: list[float], state: dict, lock: threading.Lock) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    body = json.dumps({"message": "bench"})
    conn.request(
        "POST",
        "/api/ai/chat",
        body=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    response = conn.getresponse()
    if response.status != 200:
        with lock:
            state["errors"] += 1
        return
    with lock:
        state["open"] += 1
        state["peak"] = max(state["peak"], state["open"])
    mine: list[float] = []
    try:
        while True:
            line = response.fp.readline()
            if not line:
                break
            if not line.startswith(b"data: "):
                continue
            now = time.time_ns()
            data = line[6:].strip()
            if data == b"[DONE]":
                break
            event = json.loads(data)
            if "text" in event:
                stamps = STAMP.findall(event["text"])
                if stamps:
                    mine.append((now - int(stamps[0])) / 1e6)
            elif "error" in event:
                with lock:
                    state["errors"] += 1
    finally:
        with lock:
            state["open"] -= 1
            latencies.extend(mine)
        conn.close()


def scenario(port: int, token: str, server_pid: int, streams: int) -> dict:
    latencies: list[float] = []
    state = {"open": 0, "peak": 0, "errors": 0}
    lock = threading.Lock()
    threads = [
        threading.Thread(target=one_stream, args=(port, token, latencies, state, lock), daemon=True)
        for _ in range(streams)
    ]
    peak_threads = 0
    started = time.monotonic()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        peak_threads = max(peak_threads, _threads(server_pid))
        time.sleep(0.05)
    if os.environ.get("BENCH_VERBOSE"):
        print([round(x, 1) for x in latencies])
    return {
        "streams": streams,
        "deltas": len(latencies),
        "p50": percentile(latencies, 50) if latencies else float("nan"),
        "p95": percentile(latencies, 95) if latencies else float("nan"),
        "max": max(latencies) if latencies else float("nan"),
        "peak_open": state["peak"],
        "errors": state["errors"],
        "server_threads": peak_threads,
        "seconds": time.monotonic() - started,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 20, 100])
    parser.add_argument("--deltas", type=int, default=60, help="text deltas per stream")
    parser.add_argument("--frame-ms", type=float, default=20.0, help="time between model frames")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    setup_django()
    from accounts.models import User
    from accounts.services import user_issue_token
    from assistant.llm.brain import Plan
    from assistant.llm.fake_server import FakeAnthropicServer
    from stores.services import store_create_for_seller

    tag = str(time.time_ns())[-8:]
    seller = User.objects.create(email=f"bench.ai.{tag}@contoh.id", full_name="Penjual Bench AI", role="seller")
    store_create_for_seller(owner=seller, name=f"Toko Bench AI {tag}")
    token = user_issue_token(user=seller)

    # One word per delta, then two (the simulator's chunking): every delta carries a stamp.
    text = " ".join(["@@TS@@"] * args.deltas)
    rows = []
    with FakeAnthropicServer(api_key="sk-bench", frame_delay=args.frame_ms / 1000, stamp=True) as fake:
        port = free_port()
        server = start_server(
            port,
            {
                "AI_PROVIDER": "anthropic",
                "ANTHROPIC_API_KEY": "sk-bench",
                "ANTHROPIC_BASE_URL": fake.url,
                "AI_DAILY_TOKEN_BUDGET": "0",
                "AI_MAX_OUTPUT_TOKENS_PER_TURN": "100000",
            },
        )
        try:
            # Warm-up (untimed): the server's first request imports the SDK and builds its models.
            fake.script.append(Plan().say(text))
            scenario(port, token, server.pid, 1)
            for streams in args.streams:
                for _ in range(streams):
                    fake.script.append(Plan().say(text))
                row = scenario(port, token, server.pid, streams)
                rows.append(row)
                print(
                    f"{streams:>4} streams: {row['deltas']} deltas, p50 {row['p50']:.1f} ms, p95 {row['p95']:.1f} ms, "
                    f"max {row['max']:.1f} ms, open {row['peak_open']}, server threads {row['server_threads']}, "
                    f"errors {row['errors']}, {row['seconds']:.1f} s"
                )
        finally:
            stop_server(server)

    table = "\n".join(
        f"| {r['streams']} | {r['deltas']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | {r['peak_open']} "
        f"| {r['server_threads']} | {r['errors']} |"
        for r in rows
    )
    verdict = all(r["p95"] <= TARGET_P95_MS for r in rows if r["streams"] == 1)
    body = f"""Run: {now_utc()} on {machine_info()}; one daphne process (DEBUG off), the live backend (anthropic SDK)
against `assistant.llm.fake_server` on 127.0.0.1 writing a text delta every {args.frame_ms:g} ms, each stamped with
the wall clock as it leaves; latency = when the client reads the SSE event − the stamp.

| concurrent streams | deltas | p50 ms | p95 ms | max ms | open at once | server OS threads (peak) | errors |
|---|---|---|---|---|---|---|---|
{table}

Target (p95 ≤ {TARGET_P95_MS:g} ms for a single stream): {"met" if verdict else "NOT met"}. After one untimed
warm-up request (the server's first request imports the SDK: ~10 s cold). With many streams the delay is CPU:
every stream receives 50 events/s, each parsed by the SDK and re-sent, and the fake model and the clients run on
the same 2 cores. One SDK client is shared per event loop: building one per request (an SSL context on the event
loop) had put the p95 of 10 streams at ~800 ms.

Threads: the view and the model call are async, but Django's ASGI handler gives every request a
ThreadSensitiveContext whose one executor thread (created by the sync-only middleware: WhiteNoise,
BadTextMiddleware, StoreSubdomainMiddleware, RateLimitMiddleware) lives until the response ends, so
each open stream keeps one idle OS thread. It does no work between deltas; making those middleware
async-capable would remove it.
"""
    if not args.no_write:
        write_section("AI stream", body)
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
