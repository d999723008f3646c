"""`make run`: database, migrations, demo data, ASGI server and task worker in one command.

Ctrl-C (or SIGTERM) stops everything this script started: the web server, the task
worker and, when it is the embedded one, PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")

DEMO_LOGINS = [
    ("Admin", "admin@tokoblitar.id", "demo12345"),
    ("Penjual", "penjual@tokoblitar.id", "demo12345"),
    ("Pembeli", "pembeli@tokoblitar.id", "demo12345"),
]


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, check=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))  # noqa: S104 - phones on the LAN
    args = parser.parse_args()

    embedded = not os.environ.get("DATABASE_URL")
    if embedded:
        # Start the server in this process so it outlives the short-lived manage.py calls below.
        from tokoblitar.embedded_db import embedded_database_settings

        embedded_database_settings(ROOT / "var")

    children: list[subprocess.Popen] = []

    def shutdown(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        if embedded:
            from tokoblitar.embedded_db import stop_server

            stop_server(ROOT / "var")
        print("\nTokoBLITAR stopped.", flush=True)

    try:
        manage("migrate", "--noinput", "--verbosity", "0")
        manage("seed_demo")
        manage("seed_curation_demo")
        manage("seed_demo_orders")
        # Orders left unpaid while the app was down expire now, not at their next sweep.
        manage("expire_orders")

        env = {**os.environ, "SITE_URL": os.environ.get("SITE_URL", f"http://localhost:{args.port}")}
        # Under ASGI each in-flight request holds its own connection; a pool keeps bursts under
        # Postgres' max_connections.
        env.setdefault("DB_POOL_MAX", "20")
        children.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    args.host,
                    "-p",
                    str(args.port),
                    "tokoblitar.asgi:application",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        children.append(
            subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), "db_worker", "--interval", "0.5", "--no-reload"],
                cwd=ROOT,
                env=env,
            )
        )
        print(f"\nTokoBLITAR is running at http://localhost:{args.port}  (Ctrl-C stops everything)\n")
        print("Demo logins (email / password):")
        for label, email, password in DEMO_LOGINS:
            print(f"  {label:8} {email:26} {password}")
        print(
            f"\nAPI docs: http://localhost:{args.port}/api/docs   Django admin: http://localhost:{args.port}/django-admin/\n"
        )

        # Explicit handlers: a shell that starts us in the background ignores SIGINT by default.
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        while True:
            for child in children:
                if child.poll() is not None:
                    print(f"A process exited ({child.args[2] if len(child.args) > 2 else child.args}); stopping.")
                    raise KeyboardInterrupt
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    except subprocess.CalledProcessError as exc:
        print(f"Setup step failed: {exc}", file=sys.stderr)
        shutdown()
        return 1
    shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
