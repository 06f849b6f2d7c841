""" "Can this token reach employee X": HR, admin and readonly (for reads) everyone, a manager their reporting line."""

from __future__ import annotations

import pytest

from shared.domain.enums import Role
from shared.model import Employee
from shared.persistence import Database
from shared.services.org.people import reports_to


@pytest.fixture
async def chain(db: Database, boss: Employee) -> dict[str, int]:
    """boss → lead → worker; a stranger elsewhere; a loop (a ↔ b) that must not hang anything."""
    async with db.transaction() as s:
        lead = Employee(code="LEAD", full_name="Lead", role=Role.MANAGER, manager_id=boss.id)
        stranger = Employee(code="X", full_name="Stranger", role=Role.EMPLOYEE)
        s.add_all([lead, stranger])
        await s.flush()
        worker = Employee(code="W", full_name="Worker", role=Role.EMPLOYEE, manager_id=lead.id)
        a = Employee(code="A", full_name="A", role=Role.EMPLOYEE)
        b = Employee(code="B", full_name="B", role=Role.EMPLOYEE)
        s.add_all([worker, a, b])
        await s.flush()
        a.manager_id, b.manager_id = b.id, a.id
        return {"boss": boss.id, "lead": lead.id, "worker": worker.id, "stranger": stranger.id, "loop": a.id}


async def test_reporting_lines_are_followed_up_to_any_depth(db: Database, chain):
    async with db.session() as s:
        assert await reports_to(s, employee_id=chain["worker"], manager_id=chain["boss"])
        assert await reports_to(s, employee_id=chain["lead"], manager_id=chain["boss"])
        assert await reports_to(s, employee_id=chain["boss"], manager_id=chain["boss"])
        assert not await reports_to(s, employee_id=chain["boss"], manager_id=chain["worker"])
        assert not await reports_to(s, employee_id=chain["stranger"], manager_id=chain["boss"])
        assert not await reports_to(s, employee_id=chain["loop"], manager_id=chain["boss"])


@pytest.mark.parametrize(
    ("role", "target", "allowed"),
    [
        ("admin", "stranger", True),
        ("hr", "stranger", True),
        ("manager", "boss", True),
        ("manager", "lead", True),
        ("manager", "worker", True),
        ("manager", "stranger", False),
        ("readonly", "worker", True),
    ],
)
async def test_an_employee_id_in_the_path_is_checked_against_the_reporting_line_for_every_route(
    client, headers, chain, role, target, allowed
):
    """The policy's own check (api/access.py), before the route runs: the ledger route does no check itself."""
    response = await client.get(f"/api/v1/ledger/{chain[target]}", headers=headers[role])
    assert response.status_code == (200 if allowed else 403), response.text
