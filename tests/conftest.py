"""Shared fixtures: one fresh database per backend per run, one clean slate per test, real Redis.

Integration tests take the ``db`` fixture and run twice, on SQLite and on PostgreSQL. Each run creates
its own PostgreSQL database (so concurrent runs on one server don't collide) and drops it at the end;
Redis tests use db 15 under a per-run key prefix and delete only their own keys.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from shared.model import Base
from shared.persistence import Database
from shared.persistence.migrate import upgrade_async
from shared.persistence.scratch import create_database, drop_database
from tests.mail_support import mail_on, smtp  # noqa: F401 - fixtures: a local SMTP server, e-mail configured

# No per-example deadline for property tests: how long one example takes on a loaded two-core CI machine is not a
# property of the rules (a 200 ms deadline failed lateness examples under load); pytest-timeout bounds real hangs.
hypothesis_settings.register_profile("chronos", deadline=None)
hypothesis_settings.load_profile("chronos")

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RUN_ID = uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of this run's own, migrated to head."""
    name = f"chronos_t_{RUN_ID}"
    url = asyncio.run(create_database(TEST_DATABASE_URL, name))
    try:
        asyncio.run(upgrade_async(url))
        yield url
    finally:
        asyncio.run(drop_database(TEST_DATABASE_URL, name))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("db") / "chronos.db"
    url = f"sqlite+aiosqlite:///{path}"
    asyncio.run(upgrade_async(url))
    return url


async def _wipe(database: Database) -> None:
    tables = [t.name for t in Base.metadata.sorted_tables]
    for attempt in range(3):
        try:
            async with database.engine.begin() as conn:
                if database.dialect == "postgresql":
                    await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                else:
                    for name in reversed(tables):
                        await conn.execute(text(f"DELETE FROM {name}"))
            return
        except OperationalError as exc:
            # Seen rarely under a loaded machine on SQLite: the shared file still write-locked (beyond the 10 s
            # busy_timeout) by what the previous test left running. Wait it out rather than fail the next test.
            if database.dialect == "postgresql" or "locked" not in str(exc) or attempt == 2:
                raise


@pytest.fixture(params=["sqlite", "postgres"], ids=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        return request.getfixturevalue("pg_url")
    return request.getfixturevalue("sqlite_url")


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A migrated, empty database (SQLite or PostgreSQL) for one test."""
    database = Database.from_url(db_url)
    await _wipe(database)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture(autouse=True)
def _fresh_reference_cache() -> Iterator[None]:
    """Tests reuse ids across databases: never let one test see another's remembered shift or office."""
    from shared.services.reference_cache import forget

    forget()
    yield
    forget()


@pytest.fixture
def redis_prefix() -> str:
    return f"chronos-test:{RUN_ID}:{uuid.uuid4().hex[:6]}"


@pytest.fixture
async def real_redis(redis_prefix: str) -> AsyncIterator[object]:
    """A client of the real Redis test db; deletes this test's keys (and only those) afterwards."""
    from redis.asyncio import Redis

    client = Redis.from_url(TEST_REDIS_URL, decode_responses=True)
    try:
        yield client
    finally:
        keys = [k async for k in client.scan_iter(match=f"{redis_prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
