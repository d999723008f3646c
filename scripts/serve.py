"""`make serve`: the production way to start TokoBLITAR on one machine.

DEBUG is always off here, so a real SECRET_KEY (32+ random characters) is required. Runs the
migrations and `collectstatic` (the hashed static manifest that pages need with DEBUG off),
reconciles what a previous run left behind, then serves the ASGI app and the task worker under
the same supervisor as `make run` (a child that exits is restarted with backoff). Never loads
demo data. Listens on 127.0.0.1 by default (put a TLS reverse proxy in front; set
TRUSTED_PROXIES to its address); HOST and PORT change that.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tokoblitar.settings")
# Production: never a debug page, never the development key, never demo logins.
os.environ["DEBUG"] = "false"

from tokoblitar.supervisor import Supervisor, app_children  # noqa: E402 - needs ROOT on sys.path


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description="Serve TokoBLITAR in production mode (DEBUG off).")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    args = parser.parse_args()

    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        settings.SECRET_KEY  # noqa: B018 - importing settings checks the key with DEBUG off
    except ImproperlyConfigured as exc:
        print(f"Cannot start in production mode: {exc}", file=sys.stderr)
        print('Generate a key with: python -c "import secrets; print(secrets.token_urlsafe(50))"', file=sys.stderr)
        return 2
    if not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is unset: using the embedded PostgreSQL in var/pgdata.", flush=True)

    supervisor: Supervisor | None = None
    try:
        manage("check", "--deploy", "--fail-level", "ERROR")
        manage("migrate", "--noinput")
        manage("collectstatic", "--noinput", "--verbosity", "0")
        manage("reconcile")
        env = dict(os.environ)
        supervisor = Supervisor(app_children(root=ROOT, host=args.host, port=args.port, env=env))
        supervisor.start()
        print(f"TokoBLITAR (production mode) is serving on {args.host}:{args.port}", flush=True)
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        supervisor.run()
    except KeyboardInterrupt:
        pass
    except subprocess.CalledProcessError as exc:
        print(f"Start-up step failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if supervisor is not None:
            supervisor.stop()
            print("TokoBLITAR stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
