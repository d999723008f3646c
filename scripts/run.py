"""`make run`: database, migrations, demo data, ASGI server and task worker in one command.

Demo data only with DEBUG on (the default here) or SEED_DEMO=true. Listens on 127.0.0.1
(HOST=0.0.0.0 to try it from a phone on the LAN). A child that exits is restarted with
backoff. Ctrl-C (or SIGTERM) stops everything this script started: the web server, the
task worker and, when no other process of this checkout still uses it, the embedded PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")

from tokoblitar.supervisor import Supervisor, app_children, redis_child  # noqa: E402 - needs ROOT on sys.path

DEMO_LOGINS = [
    ("Admin", "admin@tokoblitar.id", "demo12345"),
    ("Penjual", "penjual@tokoblitar.id", "demo12345"),
    ("Pembeli", "pembeli@tokoblitar.id", "demo12345"),
]


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"redis-server did not start on port {port} (apt-get install redis-server)")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, check=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    # Loopback by default: DEBUG pages must not reach the LAN. HOST=0.0.0.0 for a phone on the LAN.
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    # `make run-scaled`: N web processes (ports PORT, PORT+1, …) and N task workers sharing Redis.
    parser.add_argument("--web", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    redis = None
    if (args.web > 1 or args.workers > 1) and not os.environ.get("REDIS_URL"):
        # More than one process shares rate-limit counters, cache and realtime through Redis:
        # start Debian's redis-server on loopback (REDIS_URL points elsewhere to use another).
        if shutil.which("redis-server") is None:
            raise SystemExit("Scaled mode needs Redis: apt-get install redis-server (or set REDIS_URL)")
        redis_port = int(os.environ.get("REDIS_PORT", "6379"))
        redis = redis_child(root=ROOT, port=redis_port)
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"

    if not os.environ.get("DATABASE_URL"):
        # Start the server in this process so it outlives the short-lived manage.py calls below.
        # It stops when the last process of this checkout using it exits (tokoblitar/embedded_db.py),
        # never while another `make run` or `manage.py` still needs it.
        from tokoblitar.embedded_db import embedded_database_settings

        embedded_database_settings(ROOT / "var")

    from django.conf import settings

    # Demo logins share a public password: only for development, or when asked for explicitly.
    seed = settings.DEBUG or settings.SEED_DEMO
    supervisor: Supervisor | None = None
    redis_supervisor = Supervisor([redis]) if redis else None
    try:
        if redis_supervisor is not None:
            # Up before anything below touches the cache or the channel layer.
            redis_supervisor.start()
            _wait_for_port(int(os.environ["REDIS_URL"].rsplit(":", 1)[1].split("/")[0]))
        manage("migrate", "--noinput", "--verbosity", "0")
        if seed:
            force = [] if settings.DEBUG else ["--force"]
            manage("seed_demo", *force)
            manage("seed_curation_demo", *force)
            manage("seed_demo_orders", *force)
            manage("seed_whatsapp_demo", *force)
        # Whatever the last run left behind: tasks of a killed worker, unpaid orders past their
        # window, paid orders without a courier booking (the worker repeats this periodically).
        manage("reconcile")
        # Pictures stored before renditions existed (an older dev database) get theirs drawn
        # by the worker; until then pages show the originals.
        manage("renditions_backfill")

        env = {**os.environ, "SITE_URL": os.environ.get("SITE_URL", f"http://localhost:{args.port}")}
        children = app_children(root=ROOT, host=args.host, port=args.port, env=env, web=args.web, workers=args.workers)
        supervisor = Supervisor(children)
        supervisor.start()
        url = f"http://{'localhost' if args.host in ('127.0.0.1', '0.0.0.0') else args.host}:{args.port}"  # noqa: S104
        print(f"\nTokoBLITAR is running at {url}  (Ctrl-C stops everything)\n")
        if args.web > 1 or args.workers > 1:
            ports = ", ".join(str(args.port + n) for n in range(args.web))
            print(
                f"Scaled: {args.web} web processes (ports {ports}), {args.workers} task workers, "
                f"Redis at {os.environ['REDIS_URL']}\n"
            )
        if seed:
            print("Demo logins (email / password):")
            for label, email, password in DEMO_LOGINS:
                print(f"  {label:8} {email:26} {password}")
        else:
            print("No demo data (DEBUG is off; SEED_DEMO=true loads it).")
        print(f"\nAPI docs: {url}/api/docs   Django admin: {url}/django-admin/\n")

        # Explicit handlers: a shell that starts us in the background ignores SIGINT by default.
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        # A child that exits (the worker after a database restart, a crashed web server) is
        # started again with backoff; the site keeps running.
        if redis_supervisor is None:
            supervisor.run()
        else:
            while True:  # both supervise their children; redis restarts like any other
                redis_supervisor.poll()
                supervisor.poll()
                time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    except subprocess.CalledProcessError as exc:
        print(f"Setup step failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if supervisor is not None:
            supervisor.stop()
            print("\nTokoBLITAR stopped.", flush=True)
        if redis_supervisor is not None:
            redis_supervisor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
