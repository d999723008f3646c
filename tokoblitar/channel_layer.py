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

    def _get_or_create_listener_task(self) -> tuple[asyncio.Event, bool]:
        """Start at most one LISTEN task per event loop.

        Upstream reports "new" until the listener has connected, so two consumers (or a
        consumer's receive() and group_add()) starting together each spawned a listener and
        every message arrived twice."""
        listening, _ = super()._get_or_create_listener_task()
        loop = asyncio.get_running_loop()
        if self._listener_loop is loop:
            return listening, False
        self._listener_loop = loop
        return listening, True

    async def group_add(self, group: str, channel: str) -> None:
        """Join, then make sure this process is LISTENing before the caller goes on.

        channels_postgres starts its LISTEN connection lazily on the first receive(); a group
        message sent in between (e.g. right after a WebSocket is accepted) would be missed."""
        await super().group_add(group, channel)
        await self._get_or_create_channel_advisory_lock(channel)
        listening, is_new = self._get_or_create_listener_task()
        if is_new:
            asyncio.create_task(self.listen_to_all_channels())  # noqa: RUF006 - lives as long as the loop
        await asyncio.wait_for(listening.wait(), timeout=10)

    async def close(self) -> None:
        await self.django_db.close()
