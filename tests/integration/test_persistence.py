"""The unit of work commits together or not at all; SQLite runs with foreign keys and WAL; UTC stays UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from shared.domain.enums import PunchSource
from shared.model import Department, Employee, Punch
from shared.persistence import Database


async def test_a_failed_unit_of_work_leaves_nothing_behind(db: Database):
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            session.add(Department(name="Ghost"))
            await session.flush()
            raise RuntimeError("boom")
    async with db.session() as session:
        assert await session.scalar(select(func.count(Department.id))) == 0


async def test_foreign_keys_are_enforced(db: Database):
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            session.add(Employee(code="X1", full_name="X", department_id=999))


async def test_instants_come_back_as_the_same_aware_utc_moment(db: Database):
    moment = datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=3)))
    async with db.transaction() as session:
        session.add(Punch(source=PunchSource.API, instant=moment, device_user_id="7"))
    async with db.session() as session:
        stored = await session.scalar(select(Punch.instant))
    assert stored == moment
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)


async def test_a_naive_datetime_is_refused(db: Database):
    with pytest.raises(Exception, match="naive"):
        async with db.transaction() as session:
            session.add(Punch(source=PunchSource.API, instant=datetime(2026, 1, 1)))


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str):
    database = Database.from_url(sqlite_url)
    async with database.engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    await database.dispose()


async def test_the_same_device_punch_is_stored_once(db: Database):
    instant = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    async with db.transaction() as session:
        session.add(Punch(source=PunchSource.DEVICE, instant=instant, device_user_id="5"))
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            from shared.model import Device

            device = Device(name="D", host="h")
            session.add(device)
            await session.flush()
            session.add(Punch(source=PunchSource.DEVICE, device_id=device.id, instant=instant, device_user_id="5"))
            session.add(Punch(source=PunchSource.DEVICE, device_id=device.id, instant=instant, device_user_id="5"))


async def test_postgresql_connections_carry_the_statement_timeout(pg_url: str):
    from shared.persistence import DbTimeouts

    database = Database.from_url(pg_url, timeouts=DbTimeouts(connect=3, pool=4, statement=7))
    try:
        async with database.engine.connect() as conn:
            assert (await conn.execute(text("SHOW statement_timeout"))).scalar() == "7s"
        assert database.engine.pool.timeout() == 4
    finally:
        await database.dispose()


async def test_a_statement_over_its_timeout_is_cancelled_by_the_server(pg_url: str):
    from shared.persistence import DbTimeouts
    from shared.persistence.errors import is_unavailable

    database = Database.from_url(pg_url, timeouts=DbTimeouts(statement=0.5))
    try:
        with pytest.raises(Exception) as caught:
            async with database.session() as session:
                await session.execute(text("SELECT pg_sleep(3)"))
        assert is_unavailable(caught.value) and "statement timeout" in str(caught.value)
        async with database.session() as session:  # the connection is fine for the next one
            assert (await session.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await database.dispose()
