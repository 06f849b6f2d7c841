"""SQLite write transactions of one process queue in order for their database file.

SQLite allows one writer at a time. A writer that finds the file locked does not queue: its busy handler
sleeps and retries, and whoever retries first after a commit wins. Under load a writer can lose every
retry until its busy timeout runs out and fail with "database is locked" although each transaction
was short (seen with five parallel leave requests on a loaded two-core machine). Writers of this process
(the laptop mode runs bot, API and scheduler in one) therefore take a first-come, first-served turn here
before ``BEGIN IMMEDIATE``; the busy handler is left for writers of other processes.

The wait for a turn is bounded like SQLite's own wait, and fails the same way. A transaction opened inside
another one on the same file (which SQLite could never grant) does not queue behind itself: it goes to
SQLite's busy handler as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import weakref
from collections.abc import AsyncIterator
from contextvars import ContextVar

from sqlalchemy.exc import OperationalError

# SQLite's busy_timeout (shared.persistence.db) and the longest wait for a turn.
BUSY_SECONDS = 10.0

_holding: ContextVar[frozenset[str]] = ContextVar("sqlite_writing", default=frozenset())
# One lock per database file and event loop: an asyncio.Lock belongs to the loop that first waits on it.
_turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()


def _turn_lock(database: str) -> asyncio.Lock:
    per_loop = _turns.setdefault(asyncio.get_running_loop(), {})
    return per_loop.setdefault(database, asyncio.Lock())


@contextlib.asynccontextmanager
async def write_turn(database: str, *, wait_seconds: float = BUSY_SECONDS) -> AsyncIterator[None]:
    """Hold this process's turn to write ``database`` (a file path) for the body."""
    held = _holding.get()
    if database in held:
        yield
        return
    lock = _turn_lock(database)
    try:
        async with asyncio.timeout(wait_seconds):
            await lock.acquire()
    except TimeoutError:
        raise OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")) from None
    token = _holding.set(held | {database})
    try:
        yield
    finally:
        _holding.reset(token)
        lock.release()
