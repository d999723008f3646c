"""A small process supervisor for `make run` and `make serve`: the web server and the task worker
run as children; one that exits is started again after a backoff instead of stopping the site.

A child that keeps crashing is restarted ever more slowly (1 s, 2 s, 4 s … capped at
`backoff_max`); one that ran for `stable_after` seconds before exiting starts over at 1 s.
The database is never touched here: restarting a child never restarts the shared server.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tokoblitar.asgi_servers import server_argv


@dataclass
class Child:
    """One supervised command. `argv` runs in `cwd` with `env` (None = inherit)."""

    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str] | None = None
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    failures: int = 0
    restarts: int = 0
    exit_codes: list[int] = field(default_factory=list)


class Supervisor:
    """Start children, restart the ones that exit, stop them all on `stop()`.

    `log` receives one line per event (start, exit, restart); times are seconds."""

    def __init__(
        self,
        children: list[Child],
        *,
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
        stable_after: float = 60.0,
        log: Callable[[str], None] = print,
    ) -> None:
        self.children = children
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.stable_after = stable_after
        self.log = log
        self.stopping = False

    def _spawn(self, child: Child) -> None:
        child.proc = subprocess.Popen(child.argv, cwd=child.cwd, env=child.env)  # noqa: S603 - our own commands
        child.started_at = time.monotonic()
        child.restart_at = None

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)

    def backoff(self, failures: int) -> float:
        """Delay before restart number `failures` (1-based): base * 2^(n-1), capped."""
        return min(self.backoff_base * 2 ** max(failures - 1, 0), self.backoff_max)

    def poll(self) -> None:
        """One supervision step: notice exits, schedule and perform restarts."""
        now = time.monotonic()
        for child in self.children:
            if self.stopping:
                return
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self.log(f"Restarting {child.name} (restart {child.restarts}).")
                    self._spawn(child)
                continue
            if child.proc is None or child.proc.poll() is None:
                continue
            code = child.proc.returncode
            child.exit_codes.append(code)
            ran = now - child.started_at
            child.failures = 1 if ran >= self.stable_after else child.failures + 1
            delay = self.backoff(child.failures)
            child.restart_at = now + delay
            self.log(f"{child.name} exited with code {code} after {ran:.0f} s; restarting in {delay:.0f} s.")

    def run(self, *, until: Callable[[], bool] = lambda: False, tick: float = 0.2) -> None:
        """Poll until `until()` is true (or KeyboardInterrupt, which the caller handles)."""
        while not self.stopping and not until():
            self.poll()
            time.sleep(tick)

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate every child (SIGTERM), kill what is still running after `timeout`."""
        self.stopping = True
        running = [c.proc for c in self.children if c.proc is not None and c.proc.poll() is None]
        for proc in running:
            proc.terminate()
        deadline = time.monotonic() + timeout
        for proc in running:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def app_children(
    *, root: Path, host: str, port: int, env: dict[str, str], web: int = 1, workers: int = 1
) -> list[Child]:
    """The ASGI servers and task workers, as supervised children (`make run`, `make serve`,
    `make run-scaled`). `web` servers listen on `port`, `port + 1`, …; more than one of either
    needs REDIS_URL in `env` (shared rate-limit counters, cache and channel layer)."""
    # Under ASGI each in-flight request holds its own connection; a pool keeps bursts under
    # Postgres' max_connections. The worker uses one connection at a time: no pool.
    web_env = {"DB_POOL_MAX": "20", **env}
    worker_env = {**env, "DB_POOL_MAX": "0"}
    children = [
        Child(
            name="web server" if web == 1 else f"web server {n + 1} (:{port + n})",
            argv=server_argv(host, port + n),
            cwd=root,
            env=web_env,
        )
        for n in range(web)
    ]
    children += [
        Child(
            name="task worker" if workers == 1 else f"task worker {n + 1}",
            argv=[sys.executable, "-m", "tokoblitar.worker", "--interval", "0.5"],
            cwd=root,
            env=worker_env,
        )
        for n in range(workers)
    ]
    return children


def redis_child(*, root: Path, port: int) -> Child:
    """A local `redis-server` (Debian's package) for `make run-scaled`: loopback only, no
    persistence (counters, cache and channel messages are all disposable)."""
    data = root / "var" / "redis"
    data.mkdir(parents=True, exist_ok=True)
    argv = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    return Child(name="redis", argv=[*argv, "--dir", str(data)], cwd=root)
