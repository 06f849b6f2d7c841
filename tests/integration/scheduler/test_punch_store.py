"""store_device_punches: insert-or-ignore on (device, device user id, instant), counting new and matched rows."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from shared.model import Punch
from shared.persistence import Database
from shared.services.attendance.punch_store import PunchRow, store_device_punches
from tests.factories import make_device_and_person

T0 = datetime(2026, 11, 19, 7, tzinfo=UTC)


def _rows(employee_id: int, n: int) -> list[PunchRow]:
    """Odd minutes: the employee's badge 1001; even minutes: unknown badge 9999."""
    return [
        ("1001", T0 + timedelta(minutes=i), employee_id, "in", 1, 0) if i % 2 else
        ("9999", T0 + timedelta(minutes=i), None, "out", 1, 1)
        for i in range(n)
    ]  # fmt: skip


async def _store(db: Database, device_id: int, rows: list[PunchRow]):
    async with db.transaction() as s:
        return await store_device_punches(s, device_id=device_id, rows=rows, created_at=T0, created_by="test")


async def test_only_rows_not_stored_yet_are_written_and_counted(db: Database):
    device_id, person_id = await make_device_and_person(db)
    first = await _store(db, device_id, _rows(person_id, 10))
    second = await _store(db, device_id, _rows(person_id, 14))  # the same 10 and 4 more
    assert (first.new, first.new_matched, first.new_unmatched) == (10, 5, 5)
    assert (second.new, second.new_matched) == (4, 2)
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Punch)) == 14
        assert await s.scalar(select(func.count()).where(Punch.employee_id == person_id)) == 7


async def test_a_batch_that_repeats_a_key_stores_it_once(db: Database):
    device_id, person_id = await make_device_and_person(db)
    rows = _rows(person_id, 6)
    counts = await _store(db, device_id, rows + rows[:3])  # COPY meets the repeat; ON CONFLICT takes over
    assert (counts.new, counts.new_matched) == (6, 3)
    assert (await _store(db, device_id, [])).new == 0


async def _chunks(*chunks: list[PunchRow]):
    for chunk in chunks:
        yield chunk


async def _count(db: Database) -> int:
    async with db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(Punch)) or 0)


async def test_a_chunk_that_meets_a_stored_key_is_stored_row_by_row_and_the_later_chunks_too(db: Database):
    device_id, person_id = await make_device_and_person(db)
    rows = _rows(person_id, 12)
    await _store(db, device_id, rows[2:4])  # stored, but outside the span we announce below
    async with db.transaction() as s:
        counts = await store_device_punches(
            s, device_id=device_id, rows=_chunks(rows[:6], rows[6:9], rows[9:]), span=(T0, T0),
            created_at=T0, created_by="test",
        )  # fmt: skip
        assert await s.scalar(select(func.count()).select_from(Punch)) == 12  # the transaction is still usable
    assert (counts.new, counts.new_matched) == (10, 5)
    assert await _count(db) == 12


async def test_a_later_chunk_that_meets_a_stored_key_keeps_the_chunks_copied_before_it(db: Database):
    device_id, person_id = await make_device_and_person(db)
    rows = _rows(person_id, 9)
    await _store(db, device_id, rows[7:8])
    async with db.transaction() as s:
        counts = await store_device_punches(
            s, device_id=device_id, rows=_chunks(rows[:3], rows[3:6], rows[6:]), span=(T0, T0),
            created_at=T0, created_by="test",
        )  # fmt: skip
    assert counts.new == 8 and await _count(db) == 9


async def test_two_writers_storing_overlapping_punches_at_once_store_each_once(pg_url: str):
    """PostgreSQL, two connections: the second COPY waits on the first one's keys, then falls back."""
    db = Database.from_url(pg_url)
    try:
        from tests.conftest import _wipe

        await _wipe(db)
        device_id, person_id = await make_device_and_person(db)
        rows = _rows(person_id, 400)
        gate = asyncio.Event()

        async def writer(part: list[PunchRow], hold: bool) -> int:
            async with db.transaction() as s:
                counts = await store_device_punches(
                    s, device_id=device_id, rows=_chunks(part), span=(T0, T0), created_at=T0, created_by="test"
                )
                if hold:
                    gate.set()
                    await asyncio.sleep(0.3)  # the other writer is blocked on our uncommitted keys meanwhile
                return counts.new

        first = asyncio.create_task(writer(rows[:300], hold=True))
        await gate.wait()
        second = await writer(rows[100:], hold=False)
        assert (await first, second) == (300, 100)
        assert await _count(db) == 400
    finally:
        await db.dispose()


async def test_punches_stored_in_a_transaction_that_rolls_back_are_not_kept(db: Database):
    device_id, person_id = await make_device_and_person(db)

    class Abort(Exception):
        pass

    try:
        async with db.transaction() as s:  # nothing ran in it before: the store must not run outside it
            await store_device_punches(s, device_id=device_id, rows=_rows(person_id, 5), created_at=T0, created_by="t")
            raise Abort
    except Abort:
        pass
    assert await _count(db) == 0


async def test_a_first_sync_whose_later_chunk_repeats_records_of_an_earlier_one_stores_each_once(db: Database):
    device_id, person_id = await make_device_and_person(db)
    rows = _rows(person_id, 8)
    async with db.transaction() as s:  # nothing stored in the span: the chunks are copied without a key check
        counts = await store_device_punches(
            s, device_id=device_id, rows=_chunks(rows[:5], rows[3:8], rows[6:]), span=(rows[0][1], rows[-1][1]),
            created_at=T0, created_by="test",
        )  # fmt: skip
    assert (counts.new, counts.new_matched) == (8, 4)
    assert await _count(db) == 8
