"""``Database.reads()``: hot reads on the driver give the rows a session gives, and never reuse a connection
a statement left in doubt."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import bindparam, func, literal, select

from shared.domain.enums import Role
from shared.model import Employee
from shared.persistence import Database
from shared.services.org import people, people_reads


async def _staff(db: Database) -> None:
    async with db.transaction() as s:
        s.add_all(
            [
                Employee(code="A1", full_name="Ana Lima", email="ana@example.com", role=Role.HR),
                Employee(code="B2", full_name="Bob 100%_sure", email="bob@example.com"),
                Employee(code="C3", full_name="Cem", email="cem@ana.example", active=False),
            ]
        )


FILTERS = [
    {},
    {"role": Role.HR},
    {"active": False},
    {"active": True, "search": "ANA"},
    {"search": "ana", "search_email": False},
    {"search": "100%_"},  # LIKE wildcards are matched literally
    {"department_id": 1},
]


@pytest.mark.parametrize("filters", FILTERS, ids=[str(f) for f in FILTERS])
async def test_a_page_read_on_the_driver_is_the_page_a_session_reads(db: Database, filters):
    await _staff(db)
    async with db.session() as session:
        expected = await people.list_employees(session, limit=2, offset=0, **filters)
    async with db.reads() as reads:
        found = await people_reads.employee_page(reads, limit=2, offset=0, **filters)
    assert found.total == expected.total and (found.limit, found.offset) == (2, 0)
    assert [row["code"] for row in found.items] == [row.code for row in expected.items]


async def test_one_employee_read_on_the_driver_has_every_column(db: Database):
    await _staff(db)
    async with db.reads() as reads:
        row = await people_reads.read_employee(reads, employee_id=1)
    assert set(row) == {c.name for c in Employee.__table__.c}
    assert (row["code"], row["email"], row["active"]) == ("A1", "ana@example.com", True)
    assert row["created_at"].utcoffset().total_seconds() == 0


async def test_a_statement_error_keeps_the_pooled_connection(pg_url: str):
    db = Database.from_url(pg_url)
    try:
        async with db.reads() as reads:
            driver = reads.connection  # type: ignore[attr-defined]
            with pytest.raises(Exception, match="division by zero"):
                await reads.scalar(select(literal(1) / bindparam("zero")), {"zero": 0})
            assert await reads.scalar(select(literal(2))) == 2  # the same connection still answers
        assert not driver.is_closed()
    finally:
        await db.dispose()


async def test_a_statement_cut_off_midway_discards_its_connection(pg_url: str):
    db = Database.from_url(pg_url)
    try:
        async with db.reads() as reads:
            driver = reads.connection  # type: ignore[attr-defined]
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.2):
                    await reads.scalar(select(func.pg_sleep(bindparam("seconds"))), {"seconds": 5})
        assert driver.is_closed()  # never handed to the next request with a statement in flight
        async with db.reads() as reads:
            assert await reads.scalar(select(literal(3))) == 3
    finally:
        await db.dispose()


async def test_an_in_list_cannot_be_compiled_ahead_for_the_driver(pg_url: str):
    db = Database.from_url(pg_url)
    try:
        statement = select(Employee.id).where(Employee.id.in_(bindparam("ids", expanding=True)))
        async with db.reads() as reads:
            with pytest.raises(ValueError, match="expanding"):
                await reads.all(statement, {"ids": [1, 2]})
    finally:
        await db.dispose()
