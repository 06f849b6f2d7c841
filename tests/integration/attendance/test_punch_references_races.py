"""PostgreSQL, two connections, explicit interleaving: deleting an employee (or a device) while another transaction
stores punches for it ends with the punches kept without the reference or with the store failing, never with a
reference to a row that is gone (statement-level triggers of migration 0014 in place of foreign keys)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from sqlalchemy.exc import IntegrityError

from shared.domain.enums import PunchSource
from shared.model import Device, Employee
from shared.persistence import Database
from shared.services.attendance.punch_store import PunchRow, store_device_punches
from tests.conftest import _wipe

T0 = datetime(2026, 11, 19, 7, tzinfo=UTC)
N = 50
COLUMNS = ("device_id", "source", "created_at", "device_user_id", "instant", "employee_id", "direction")
TABLES = {"employee": "employees", "device": "devices"}
DANGLING = """
SELECT count(*) FROM punches AS p
WHERE (p.employee_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM employees AS e WHERE e.id = p.employee_id))
   OR (p.device_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM devices AS d WHERE d.id = p.device_id))
"""


@pytest.fixture
async def pg(pg_url: str) -> AsyncIterator[tuple[Database, str, int, int]]:
    db = Database.from_url(pg_url)
    await _wipe(db)
    async with db.transaction() as s:
        device, person = Device(name="Gate", host="10.0.0.1"), Employee(code="E1", full_name="Eve")
        s.add_all([device, person])
        await s.flush()
        ids = device.id, person.id
    try:
        yield db, pg_url.replace("postgresql+asyncpg://", "postgresql://"), *ids
    finally:
        await db.dispose()


def _rows(employee_id: int) -> list[PunchRow]:
    return [("1001", T0 + timedelta(minutes=i), employee_id, "in", 1, 0) for i in range(N)]


class Turns:
    def __init__(self) -> None:
        self.written, self.commit = asyncio.Event(), asyncio.Event()


async def _insert(how: str, db: Database, dsn: str, device_id: int, employee_id: int, turns: Turns) -> None:
    """Store N punches in one transaction the way ``how`` says, then wait for the turn to commit."""
    if how == "store":  # the ZK store: COPY through the session's connection
        async with db.transaction() as s:
            await store_device_punches(s, device_id=device_id, rows=_rows(employee_id), created_at=T0, created_by="t")
            turns.written.set()
            await turns.commit.wait()
        return
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            records = [(device_id, PunchSource.DEVICE.value, T0, u, t, e, d) for u, t, e, d, *_ in _rows(employee_id)]
            if how == "copy":
                await connection.copy_records_to_table("punches", records=records, columns=COLUMNS)
            else:
                await connection.executemany(
                    f"INSERT INTO punches ({', '.join(COLUMNS)}) VALUES ($1, $2, $3, $4, $5, $6, $7)", records
                )
            turns.written.set()
            await turns.commit.wait()
    finally:
        await connection.close()


async def _until_one_waits_on_a_lock(monitor: asyncpg.Connection) -> None:
    for _ in range(500):
        waiting = await monitor.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no connection ever waited on the other's lock")


async def _outcome(dsn: str) -> tuple[int, int, int]:
    connection = await asyncpg.connect(dsn)
    try:
        row = await connection.fetchrow("SELECT count(*), count(employee_id), count(device_id) FROM punches")
        return row[0], row[1] + row[2], await connection.fetchval(DANGLING)
    finally:
        await connection.close()


@pytest.mark.parametrize("how", ["store", "copy", "insert"])
@pytest.mark.parametrize("referenced", ["employee", "device"])
async def test_a_delete_after_the_insert_waits_for_it_and_then_unsets_the_reference(pg, how: str, referenced: str):
    db, dsn, device_id, person_id = pg
    turns = Turns()
    inserting = asyncio.create_task(_insert(how, db, dsn, device_id, person_id, turns))
    deleter, monitor = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    try:
        await asyncio.wait_for(turns.written.wait(), 30)  # written and checked, not committed
        transaction = deleter.transaction()
        await transaction.start()
        deleting = asyncio.create_task(
            deleter.execute(f"DELETE FROM {TABLES[referenced]} WHERE id = $1", person_id if referenced == "employee"
                            else device_id)
        )  # fmt: skip
        await _until_one_waits_on_a_lock(monitor)  # on the inserting transaction's FOR KEY SHARE lock
        assert not deleting.done()
        turns.commit.set()
        await inserting
        await deleting
        await transaction.commit()
    finally:
        turns.commit.set()
        await deleter.close()
        await monitor.close()
    stored, references, dangling = await _outcome(dsn)
    assert (stored, references, dangling) == (N, N, 0)  # kept, with only the other reference left


@pytest.mark.parametrize("how", ["store", "copy", "insert"])
@pytest.mark.parametrize("referenced", ["employee", "device"])
async def test_an_insert_after_the_delete_waits_for_it_and_then_fails(pg, how: str, referenced: str):
    db, dsn, device_id, person_id = pg
    deleter, monitor = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
    turns = Turns()
    turns.commit.set()  # should the insert get through, it commits at once
    try:
        transaction = deleter.transaction()
        await transaction.start()
        await deleter.execute(
            f"DELETE FROM {TABLES[referenced]} WHERE id = $1", person_id if referenced == "employee" else device_id
        )
        inserting = asyncio.create_task(_insert(how, db, dsn, device_id, person_id, turns))
        await _until_one_waits_on_a_lock(monitor)  # the insert's check waits on the deleted, uncommitted row
        assert not inserting.done()
        await transaction.commit()
        with pytest.raises((IntegrityError, asyncpg.ForeignKeyViolationError)) as caught:
            await inserting
        assert "foreign key" in str(caught.value).lower()
    finally:
        await deleter.close()
        await monitor.close()
    assert await _outcome(dsn) == (0, 0, 0)
