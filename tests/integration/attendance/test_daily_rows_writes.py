"""Writing daily rows on PostgreSQL: only new rows (COPY) and changed rows (upsert) are sent; a row stored by
someone else between the read and the COPY makes it fall back to the upsert, which still keeps overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select

from shared.domain.enums import AttendanceStatus, Direction, PunchSource
from shared.model import DailyAttendance, Punch
from shared.persistence import Database
from shared.services.attendance import daily_rows
from shared.services.attendance.overrides import override_day
from shared.services.attendance.processing import process_days
from tests.factories import Company, make_company

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 16)
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


@pytest.fixture
async def company(db: Database) -> Company:
    if db.dialect != "postgresql":
        pytest.skip("the COPY path and its fallback exist on PostgreSQL only")
    return await make_company(db)


async def punch(db: Database, employee_id: int, hh: int, direction: Direction) -> None:
    async with db.transaction() as s:
        s.add(
            Punch(
                employee_id=employee_id, source=PunchSource.DEVICE, direction=direction, device_user_id="x",
                instant=datetime(MONDAY.year, MONDAY.month, MONDAY.day, hh, tzinfo=BERLIN),
            )
        )  # fmt: skip


async def run(db: Database, now: datetime = NOW) -> Any:
    async with db.transaction() as s:
        return await process_days(s, date_from=MONDAY, date_to=MONDAY + timedelta(days=1), now=now,
                                  company_timezone="Europe/Berlin")  # fmt: skip


async def stored(db: Database) -> dict[tuple[int, date], DailyAttendance]:
    async with db.session() as s:
        return {(r.employee_id, r.date): r for r in await s.scalars(select(DailyAttendance))}


def stale_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the rows were not there yet when the write read them (another writer stored them just after)."""

    async def nothing_stored(*args: Any) -> dict[Any, Any]:
        return {}

    monkeypatch.setattr(daily_rows, "_stored", nothing_stored)


async def test_rows_stored_by_someone_else_after_the_read_are_updated_not_refused(
    db: Database, company: Company, monkeypatch: pytest.MonkeyPatch
):
    await run(db)
    assert (await stored(db))[(company.alice_id, MONDAY)].status is AttendanceStatus.ABSENT
    await punch(db, company.alice_id, 9, Direction.IN)
    await punch(db, company.alice_id, 18, Direction.OUT)
    stale_read(monkeypatch)
    stats = await run(db)
    rows = await stored(db)
    assert rows[(company.alice_id, MONDAY)].status is AttendanceStatus.PRESENT
    assert len(rows) == stats.rows_written == 8
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(DailyAttendance)) == 8


async def test_an_override_stored_after_the_read_is_kept_by_the_fallback(
    db: Database, company: Company, monkeypatch: pytest.MonkeyPatch
):
    await run(db)
    async with db.transaction() as s:
        await override_day(
            s, actor=company.hr, employee_id=company.alice_id, day=MONDAY, status=AttendanceStatus.PRESENT,
            reason="Badge reader broken", worked_minutes=480, now=NOW,
        )  # fmt: skip
    await punch(db, company.alice_id, 12, Direction.IN)
    stale_read(monkeypatch)
    await run(db)
    alice = (await stored(db))[(company.alice_id, MONDAY)]
    assert alice.manual_override and alice.status is AttendanceStatus.PRESENT and alice.worked_minutes == 480


async def test_an_override_is_counted_and_left_alone_when_the_read_sees_it(db: Database, company: Company):
    await run(db)
    async with db.transaction() as s:
        await override_day(
            s, actor=company.hr, employee_id=company.alice_id, day=MONDAY, status=AttendanceStatus.PRESENT,
            reason="Badge reader broken", worked_minutes=480, now=NOW,
        )  # fmt: skip
    stats = await run(db)
    assert stats.overrides_kept == 1 and stats.rows_written == 7
    assert (await stored(db))[(company.alice_id, MONDAY)].worked_minutes == 480


async def test_only_rows_whose_result_changed_are_written_again(db: Database, company: Company):
    await run(db)
    before = {k: r.processed_at for k, r in (await stored(db)).items()}
    await punch(db, company.bob_id, 9, Direction.IN)
    later = NOW + timedelta(hours=1)
    await run(db, now=later)
    after = {k: r.processed_at for k, r in (await stored(db)).items()}
    assert after[(company.bob_id, MONDAY)] == later
    assert {k: v for k, v in after.items() if k != (company.bob_id, MONDAY)} == {
        k: v for k, v in before.items() if k != (company.bob_id, MONDAY)
    }


async def test_a_later_copy_that_meets_a_stored_key_keeps_the_copies_before_it_and_upserts_the_rest(
    db: Database, company: Company, monkeypatch: pytest.MonkeyPatch
):
    await run(db)
    async with db.transaction() as s:  # the first two people's rows are gone: the first COPY writes them anew
        first_two = sorted({e for e, _ in (await stored(db))})[:2]
        await s.execute(delete(DailyAttendance).where(DailyAttendance.employee_id.in_(first_two)))
    await punch(db, company.alice_id, 9, Direction.IN)
    await punch(db, company.alice_id, 18, Direction.OUT)
    monkeypatch.setattr(daily_rows, "STREAM_CHUNK", 3)  # copies of 3 results: the second meets a stored key
    stale_read(monkeypatch)
    stats = await run(db)
    rows = await stored(db)
    assert len(rows) == stats.rows_written == 8
    assert rows[(company.alice_id, MONDAY)].status is AttendanceStatus.PRESENT
    assert {e for e, _ in rows} >= set(first_two)
