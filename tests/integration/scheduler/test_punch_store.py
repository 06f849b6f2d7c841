"""store_device_punches: insert-or-ignore on (device, device user id, instant), counting new and matched rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from shared.model import Device, Employee, Punch
from shared.persistence import Database
from shared.services.attendance.punch_store import PunchRow, store_device_punches

T0 = datetime(2026, 11, 19, 7, tzinfo=UTC)


def _rows(employee_id: int, n: int) -> list[PunchRow]:
    """Odd minutes: the employee's badge 1001; even minutes: unknown badge 9999."""
    return [
        ("1001", T0 + timedelta(minutes=i), employee_id, "in", 1, 0) if i % 2 else
        ("9999", T0 + timedelta(minutes=i), None, "out", 1, 1)
        for i in range(n)
    ]  # fmt: skip


async def _setup(db: Database) -> tuple[int, int]:
    async with db.transaction() as s:
        device, person = Device(name="Gate", host="10.0.0.1"), Employee(code="E1", full_name="Eve")
        s.add_all([device, person])
        await s.flush()
        return device.id, person.id


async def _store(db: Database, device_id: int, rows: list[PunchRow]):
    async with db.transaction() as s:
        return await store_device_punches(s, device_id=device_id, rows=rows, created_at=T0, created_by="test")


async def test_only_rows_not_stored_yet_are_written_and_counted(db: Database):
    device_id, person_id = await _setup(db)
    first = await _store(db, device_id, _rows(person_id, 10))
    second = await _store(db, device_id, _rows(person_id, 14))  # the same 10 and 4 more
    assert (first.new, first.new_matched, first.new_unmatched) == (10, 5, 5)
    assert (second.new, second.new_matched) == (4, 2)
    async with db.session() as s:
        assert await s.scalar(select(func.count()).select_from(Punch)) == 14
        assert await s.scalar(select(func.count()).where(Punch.employee_id == person_id)) == 7


async def test_a_batch_that_repeats_a_key_stores_it_once(db: Database):
    device_id, person_id = await _setup(db)
    rows = _rows(person_id, 6)
    counts = await _store(db, device_id, rows + rows[:3])  # COPY meets the repeat; ON CONFLICT takes over
    assert (counts.new, counts.new_matched) == (6, 3)
    assert (await _store(db, device_id, [])).new == 0
