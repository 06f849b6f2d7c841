"""Async engine, session factory and the unit of work every use case runs in."""

from __future__ import annotations

import contextlib
import select
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from shared.persistence.reads import Reads, open_reads
from shared.persistence.sqlite_writers import BUSY_SECONDS, write_turn

if TYPE_CHECKING:
    from shared.config import Settings

# Client-side slack over the server's statement_timeout: PostgreSQL cancels a slow statement itself (a
# clean error); the client gives up a little later only when the server does not answer at all.
CLIENT_SLACK_SECONDS = 2.0


@dataclass(frozen=True)
class DbTimeouts:
    """How long a unit of work may wait on the database: to connect, for a pooled connection, per statement.

    ``statement=0`` means no statement timeout (migrations: a schema change may take long).
    SQLite has its own wait (``busy_timeout``) and only uses ``pool``.
    """

    connect: float = 5.0
    pool: float = 10.0
    statement: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> DbTimeouts:
        return cls(
            connect=settings.db_connect_timeout_seconds,
            pool=settings.db_pool_timeout_seconds,
            statement=settings.db_statement_timeout_seconds,
        )

    def asyncpg_connect_args(self) -> dict[str, Any]:
        """asyncpg's ``timeout`` (connect) and ``command_timeout``, and the server's ``statement_timeout``."""
        args: dict[str, Any] = {"timeout": self.connect}
        if self.statement > 0:
            args["command_timeout"] = self.statement + CLIENT_SLACK_SECONDS
            args["server_settings"] = {"statement_timeout": str(int(self.statement * 1000))}
        return args


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin): the driver's implicit transactions would
    # otherwise start late and never as IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    """Write transactions take SQLite's write lock up front (BEGIN IMMEDIATE).

    A deferred transaction that read before another writer committed cannot upgrade its snapshot in
    WAL mode and fails with "database is locked" at once; taking the lock first makes concurrent
    writers queue (busy_timeout) and then see each other's committed rows, like PostgreSQL's row locks.
    """
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_engine(url: str, *, echo: bool = False, timeouts: DbTimeouts | None = None, **kwargs: Any) -> AsyncEngine:
    """An engine for ``url`` whose every wait is bounded (``timeouts``, defaults when not given).

    SQLite gets foreign keys, WAL and a busy timeout on every connection; PostgreSQL a connect timeout,
    a statement timeout (server side, and client side a little later) and a pool checkout timeout.
    """
    bounds = timeouts or DbTimeouts()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(url, echo=echo, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    # No pre-ping round trip per checkout: a connection the server or the network closed is noticed
    # by the driver itself (asyncpg sees the socket close) and replaced at checkout (_drop_closed);
    # recycling bounds the age of an idle connection a middlebox might have forgotten.
    kwargs.setdefault("pool_pre_ping", False)
    kwargs.setdefault("pool_recycle", 1800)
    # Overflow connections are closed when returned: a pool smaller than the usual concurrency (an API
    # worker under 20 connections) would open and close a connection per request.
    kwargs.setdefault("pool_size", 20)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_timeout", bounds.pool)
    if parsed.drivername == "postgresql+asyncpg":
        kwargs["connect_args"] = {**bounds.asyncpg_connect_args(), **kwargs.get("connect_args", {})}
    engine = create_async_engine(url, echo=echo, **kwargs)
    if parsed.drivername == "postgresql+asyncpg" and not kwargs["pool_pre_ping"]:
        event.listen(engine.sync_engine, "checkout", _drop_closed)
    return engine


def _drop_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Discard a pooled connection the server or the network already closed, at checkout and without a
    round trip (SQLAlchemy then takes another one: it retries a checkout on ``DisconnectionError``).

    asyncpg marks a connection closed once the event loop saw its socket end; a close that arrived since
    (PostgreSQL restarted between two requests) shows as the idle socket being readable: an idle
    connection has nothing to read, so readable means end-of-file or a server's farewell. One ``poll``
    system call, no message to the server."""
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is None:
        return
    if driver.is_closed():
        raise DisconnectionError("the pooled connection was closed")
    transport = getattr(driver, "_transport", None)
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None:
        return
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN | select.POLLPRI)
    if poller.poll(0):
        raise DisconnectionError("the server closed the pooled connection")


class Database:
    """Owns one engine and hands out units of work (one transaction each)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        # Reads without BEGIN/ROLLBACK on PostgreSQL: each statement is its own snapshot (see read()).
        reader = engine if engine.dialect.name == "sqlite" else engine.execution_options(isolation_level="AUTOCOMMIT")
        self.read_sessionmaker = async_sessionmaker(reader, expire_on_commit=False, autoflush=False)
        self._reader = reader
        self._compiled_reads: dict[Any, Any] = {}  # shared.persistence.reads: SQL of each statement, by identity

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        return cls(create_engine(url, **kwargs))

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> Database:
        """DATABASE_URL with the DB_*_TIMEOUT_SECONDS deadlines."""
        return cls.from_url(settings.database_url, timeouts=DbTimeouts.from_settings(settings), **kwargs)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: everything inside commits together or not at all."""
        if self.dialect != "sqlite":
            async with self.sessionmaker() as session, session.begin():
                yield session
            return
        async with write_turn(self.engine.url.database or ":memory:"), self.sessionmaker() as session, session.begin():
            await session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            yield session

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A read session (no implicit commit)."""
        async with self.sessionmaker() as session:
            yield session

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads that need no common snapshot (one lookup, a page and its count): on
        PostgreSQL without an explicit transaction, which saves the BEGIN and ROLLBACK round trips.
        Never write through it (nothing would be atomic); SQLite reads as :meth:`session` does."""
        async with self.read_sessionmaker() as session:
            yield session

    def reads(self) -> contextlib.AbstractAsyncContextManager[Reads]:
        """Hot reads on the driver, without a session or a transaction (``shared.persistence.reads``): for
        lookups that need no common snapshot. Never for a write of several statements (nothing would be
        atomic); on PostgreSQL a write that is *one* statement (a data-modifying CTE) commits as a whole
        (``shared.services.attendance.telegram_punch``)."""
        return open_reads(self.engine, self._reader, self._compiled_reads)

    async def ping(self) -> None:
        from sqlalchemy import text

        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
