"""channels_postgres with one connection pool per layer instance (instead of per process).

channels_postgres 1.1.4 keeps a single module-global psycopg AsyncConnectionPool, bound to
the event loop that first used it. Sync code (the task worker, management commands) runs each
`async_to_sync` call in a fresh event loop, so the pool would be driven from loops whose
maintenance tasks are gone. Here each layer instance owns its pool; `orders.realtime` sends
from one long-lived loop thread with its own instance, and consumers use the default instance
in the ASGI server's loop.
"""

from __future__ import annotations

import asyncio
import typing

import psycopg
import psycopg.sql
import psycopg_pool
from channels_postgres.core import PostgresChannelLayer as _BasePostgresChannelLayer
from channels_postgres.core import logger
from channels_postgres.db import GROUP_CHANNEL_TABLE, DatabaseLayer


class _InstanceDatabaseLayer(DatabaseLayer):
    def __init__(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        super().__init__(*args, **kwargs)
        self._pool: psycopg_pool.AsyncConnectionPool | None = None
        self._pool_lock: asyncio.Lock | None = None

    async def get_db_pool(self, db_params: dict[str, typing.Any]) -> psycopg_pool.AsyncConnectionPool:
        if self._pool is not None:
            return self._pool
        if self._pool_lock is None:
            self._pool_lock = asyncio.Lock()
        async with self._pool_lock:
            if self._pool is None:

                async def configure(conn: psycopg.AsyncConnection) -> None:
                    await conn.set_autocommit(True)
                    conn.prepare_threshold = 0
                    conn.prepared_max = None

                pool = psycopg_pool.AsyncConnectionPool(
                    conninfo=psycopg.conninfo.make_conninfo(conninfo="", **db_params),
                    open=False,
                    configure=configure,
                    # A pooled connection the server dropped (restart, failover, a terminated
                    # backend) is found and replaced when handed out, instead of failing the
                    # push that gets it (psycopg_pool's documented check, one round trip).
                    check=psycopg_pool.AsyncConnectionPool.check_connection,
                    **{"min_size": 1, "max_size": 4, **self.psycopg_options},
                )
                await pool.open(wait=True)
                self._pool = pool
        return self._pool

    async def delete_channel_group(self, group_key: str, channel: str) -> None:
        # Upstream deletes through a Django DB alias "channels_postgres" we do not define.
        db_pool = await self.get_db_pool(db_params=self.db_params)
        async with db_pool.connection() as conn:
            await conn.execute(
                psycopg.sql.SQL("DELETE FROM {table} WHERE group_key = %s AND channel = %s").format(
                    table=psycopg.sql.Identifier(GROUP_CHANNEL_TABLE)
                ),
                (group_key, channel),
            )

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


class PostgresChannelLayer(_BasePostgresChannelLayer):
    def __init__(self, *args: typing.Any, **kwargs: typing.Any) -> None:
        super().__init__(*args, **kwargs)
        self.django_db = _InstanceDatabaseLayer(kwargs.get("PSYCOPG_OPTIONS", {}), self.db_params, logger=logger)
        self._listener_loop: asyncio.AbstractEventLoop | None = None
        self._listener_task: asyncio.Task | None = None

    def _get_or_create_listener_task(self) -> tuple[asyncio.Event, bool]:
        """One LISTEN task per event loop, started here and restarted if it died.

        Upstream reports "new" until the listener has connected, so two consumers (or a
        consumer's receive() and group_add()) starting together each spawned a listener and
        every message arrived twice; and a listener that lost its connection was never
        restarted. We own the task, so callers are always told it already exists."""
        listening, _ = super()._get_or_create_listener_task()
        loop = asyncio.get_running_loop()
        task = self._listener_task
        if task is None or task.done() or self._listener_loop is not loop:
            listening.clear()
            self._listener_loop = loop
            self._listener_task = loop.create_task(self._listen_forever())
        return listening, False

    async def _listen_forever(self) -> None:
        while True:
            try:
                await self.listen_to_all_channels()
                return  # a shutdown notification ended it on purpose
            except (psycopg.Error, OSError):
                logger.warning("channel layer LISTEN connection lost; reconnecting", exc_info=True)
                if self.listener_task_is_running is not None:
                    self.listener_task_is_running.clear()
                await asyncio.sleep(1)

    async def group_add(self, group: str, channel: str) -> None:
        """Join, then make sure this process is LISTENing before the caller goes on.

        channels_postgres starts its LISTEN connection lazily on the first receive(); a group
        message sent in between (e.g. right after a WebSocket is accepted) would be missed."""
        await super().group_add(group, channel)
        await self._get_or_create_channel_advisory_lock(channel)
        listening, _ = self._get_or_create_listener_task()
        await asyncio.wait_for(listening.wait(), timeout=10)

    async def close(self) -> None:
        if self._listener_task is not None and not self._listener_task.done():
            self._listener_task.cancel()
        await self.django_db.close()
