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
