"""Throw-away PostgreSQL databases for tests and benchmarks: one per run, so runs never collide."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url

from shared.persistence.db import DbTimeouts, create_engine

# Creating and dropping a whole database waits for a checkpoint and (WITH FORCE) for the backends it ends:
# on a loaded machine that took longer than the 30 s statement timeout of ordinary work, and a test's
# teardown failed. Bounded, but by minutes, not by the timeout meant for a request's statements.
SCRATCH_TIMEOUTS = DbTimeouts(statement=300.0)


async def _execute(server_url: str, statement: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT", timeouts=SCRATCH_TIMEOUTS)
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def database_url(server_url: str, name: str) -> str:
    """``server_url`` pointed at database ``name`` (credentials kept)."""
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server of ``server_url`` (any database of it); returns its URL."""
    await _execute(server_url, f'CREATE DATABASE "{name}"')
    return database_url(server_url, name)


async def drop_database(server_url: str, name: str) -> None:
    await _execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
