"""A punch refers to an existing employee and device or to none: foreign keys on SQLite, statement-level
triggers on PostgreSQL (migration 0014), the same rules either way, also under concurrent deletes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from shared.domain.enums import PunchSource
from shared.model import Device, Employee, Punch
from shared.persistence import Database
from shared.services.attendance.punch_store import PunchRow, store_device_punches
from tests.factories import make_device_and_person

T0 = datetime(2026, 11, 19, 7, tzinfo=UTC)
UNKNOWN = 987_654
COPY_COLUMNS = ("device_id", "source", "created_at", "device_user_id", "instant", "employee_id", "direction")


def _rows(employee_id: int | None, n: int, start: int = 0) -> list[PunchRow]:
    return [("1001", T0 + timedelta(minutes=start + i), employee_id, "in", 1, 0) for i in range(n)]


async def _store(db: Database, device_id: int, rows: list[PunchRow]) -> int:
    async with db.transaction() as s:
        return (await store_device_punches(s, device_id=device_id, rows=rows, created_at=T0, created_by="t")).new


async def _punches(db: Database) -> list[tuple[int | None, int | None]]:
    async with db.session() as s:
        return [tuple(r) for r in (await s.execute(select(Punch.employee_id, Punch.device_id))).all()]


def _punch(device_id: int | None, employee_id: int | None, minute: int = 0) -> Punch:
    return Punch(
        device_id=device_id, employee_id=employee_id, device_user_id="1001", source=PunchSource.DEVICE,
        instant=T0 + timedelta(minutes=minute),
    )  # fmt: skip


def _is_foreign_key_error(exc: BaseException) -> bool:
    return "foreign key" in str(exc).lower()


@pytest.mark.parametrize("unknown", ["employee", "device"])
async def test_a_punch_for_an_unknown_employee_or_device_is_refused(db: Database, unknown: str):
    device_id, person_id = await make_device_and_person(db)
    punch = _punch(UNKNOWN, person_id) if unknown == "device" else _punch(device_id, UNKNOWN)
    with pytest.raises(IntegrityError) as caught:
        async with db.transaction() as s:
            s.add(punch)
    assert _is_foreign_key_error(caught.value)
    assert await _punches(db) == []


async def test_a_punch_moved_to_an_unknown_employee_is_refused_and_one_moved_to_a_known_one_is_not(db: Database):
    device_id, person_id = await make_device_and_person(db)
    async with db.transaction() as s:
        other = Employee(code="E2", full_name="Max")
        s.add_all([other, _punch(device_id, person_id)])
        await s.flush()
        other_id = other.id
    with pytest.raises(IntegrityError):
        async with db.transaction() as s:
            await s.execute(update(Punch).values(employee_id=UNKNOWN))
    async with db.transaction() as s:
        await s.execute(update(Punch).values(employee_id=other_id))
    assert await _punches(db) == [(other_id, device_id)]


async def test_storing_device_punches_for_an_unknown_employee_fails_and_stores_nothing(db: Database):
    """The store's COPY (PostgreSQL) fails on the reference: it is not taken for a duplicate key."""
    device_id, person_id = await make_device_and_person(db)
    with pytest.raises((IntegrityError, asyncpg.ForeignKeyViolationError)) as caught:
        await _store(db, device_id, _rows(person_id, 3) + _rows(UNKNOWN, 2, start=3))
    assert _is_foreign_key_error(caught.value)
    assert await _punches(db) == []


async def test_storing_for_an_unknown_employee_fails_also_once_the_store_inserts_row_by_row(db: Database):
    """A stored key sends the store from COPY to insert-or-ignore: the reference is checked there too."""
    device_id, person_id = await make_device_and_person(db)
    assert await _store(db, device_id, _rows(person_id, 2)) == 2

    async def chunks() -> AsyncIterator[list[PunchRow]]:
        yield _rows(person_id, 4)  # meets the two stored keys (outside the announced span): insert-or-ignore
        yield _rows(UNKNOWN, 2, start=10)

    with pytest.raises(IntegrityError) as caught:
        async with db.transaction() as s:
            await store_device_punches(
                s, device_id=device_id, rows=chunks(), span=(T0, T0), created_at=T0, created_by="t"
            )
    assert _is_foreign_key_error(caught.value)
    assert len(await _punches(db)) == 2


@pytest.mark.parametrize("deleted", ["employee", "device"])
async def test_deleting_an_employee_or_a_device_keeps_its_punches_without_the_reference(db: Database, deleted: str):
    device_id, person_id = await make_device_and_person(db)
    assert await _store(db, device_id, _rows(person_id, 3) + _rows(None, 2, start=3)) == 5
    async with db.transaction() as s:
        if deleted == "employee":
            await s.execute(delete(Employee).where(Employee.id == person_id))
        else:
            await s.execute(delete(Device).where(Device.id == device_id))
    expected = [(None, device_id)] * 5 if deleted == "employee" else [(person_id, None)] * 3 + [(None, None)] * 2
    assert sorted(await _punches(db), key=str) == sorted(expected, key=str)


async def test_changing_the_id_of_an_employee_with_punches_is_refused(db: Database):
    device_id, person_id = await make_device_and_person(db)
    assert await _store(db, device_id, _rows(person_id, 1)) == 1
    with pytest.raises(IntegrityError):
        async with db.transaction() as s:
            await s.execute(update(Employee).where(Employee.id == person_id).values(id=person_id + 100))
    assert await _punches(db) == [(person_id, device_id)]


# PostgreSQL only: what the triggers add around the foreign keys they replace.


async def test_truncating_employees_while_punches_refer_to_them_is_refused_on_postgresql(pg_url: str):
    db = Database.from_url(pg_url)
    try:
        from tests.conftest import _wipe

        await _wipe(db)
        device_id, person_id = await make_device_and_person(db)
        await _store(db, device_id, _rows(person_id, 1))
        with pytest.raises(IntegrityError):
            async with db.transaction() as s:
                await s.execute(text("TRUNCATE employees CASCADE"))
        async with db.transaction() as s:
            await s.execute(text("TRUNCATE employees, punches CASCADE"))
        assert await _punches(db) == []
    finally:
        await db.dispose()


async def test_deleting_an_employee_under_repeatable_read_is_refused_on_postgresql(pg_url: str):
    """A trigger sees only its snapshot: under REPEATABLE READ it could miss punches committed meanwhile."""
    db = Database.from_url(pg_url)
    try:
        from tests.conftest import _wipe

        await _wipe(db)
        _, person_id = await make_device_and_person(db)
        async with db.engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="REPEATABLE READ")
            with pytest.raises(DBAPIError, match="READ COMMITTED"):
                await conn.execute(delete(Employee).where(Employee.id == person_id))
    finally:
        await db.dispose()
