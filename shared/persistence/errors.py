"""Which failures mean "the database (or Redis) is not there right now", and how to say so in one line.

asyncpg raises the operating system's errors as they are when it cannot connect (``ConnectionRefusedError``,
``OSError``, ``TimeoutError``); SQLAlchemy wraps errors that happen on an open connection (``OperationalError``,
``InterfaceError``) and has its own pool ``TimeoutError``. Every one of them is transient for a caller: the
API answers 503 with ``Retry-After``, the bot apologises, the CLI prints one line.
"""

from __future__ import annotations

import asyncpg.exceptions as pg
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import exc as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # ConnectionRefusedError, ConnectionResetError, "Connect call failed", no route to host
    TimeoutError,  # connect timeout, command timeout (asyncio.TimeoutError is TimeoutError)
    sa.TimeoutError,  # no pooled connection within pool_timeout
    sa.OperationalError,
    sa.InterfaceError,
    pg.PostgresConnectionError,
    pg.OperatorInterventionError,  # statement timeout, admin shutdown, "cannot connect now" (starting up)
    pg.InsufficientResourcesError,  # too many connections
    pg.InterfaceError,  # the connection is closed
)
REDIS_UNAVAILABLE: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError)
UNAVAILABLE = DATABASE_UNAVAILABLE + REDIS_UNAVAILABLE


def _driver_error(exc: BaseException) -> BaseException:
    """What SQLAlchemy wrapped: the DB-API error, and under asyncpg's adapter the asyncpg exception."""
    inner: BaseException = exc.orig if isinstance(exc, sa.DBAPIError) and exc.orig is not None else exc
    cause = inner.__cause__
    return cause if inner is not exc and isinstance(cause, pg.PostgresError | pg.InterfaceError) else inner


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) says a dependency is down or too slow, not that the request is wrong.

    A statement cancelled by ``statement_timeout`` arrives as a plain ``DBAPIError`` around asyncpg's
    ``QueryCanceledError``: it counts.
    """
    if isinstance(exc, sa.DBAPIError) and not isinstance(exc, sa.OperationalError | sa.InterfaceError):
        return isinstance(_driver_error(exc), DATABASE_UNAVAILABLE)
    return isinstance(exc, UNAVAILABLE)


def where(database_url: str) -> str:
    """``host:port/db`` of a URL without its password (or the file of a SQLite URL)."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return "?"
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def one_line(exc: BaseException) -> str:
    """The exception as one short line: its type and first line of message (SQLAlchemy's own wrapper dropped)."""
    inner = _driver_error(exc)
    text = (str(inner).strip().splitlines() or [""])[0]
    name = type(inner).__name__
    return f"{name}: {text}"[:300] if text else name
