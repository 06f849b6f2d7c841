"""The demo company seeds completely and only into an empty database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from sandbox.demo.seed import seed_demo
from shared.domain.enums import Role
from shared.errors import Conflict
from shared.model import Department, Employee, Holiday, LeaveType, Shift
from shared.persistence import Database


async def test_the_demo_company_has_everything_the_walkthrough_needs(db: Database):
    async with db.transaction() as s:
        summary = await seed_demo(s, today=date(2026, 11, 21))
    async with db.session() as s:
        assert await s.scalar(select(func.count(Department.id))) == 3
        assert await s.scalar(select(func.count(Employee.id))) == 25
        assert await s.scalar(select(func.count(Shift.id))) == 2
        assert await s.scalar(select(func.count(LeaveType.id))) == 5
        years = {d.year for d in await s.scalars(select(Holiday.date))}
        assert years == {2026, 2027}
        roles = {r for r in await s.scalars(select(Employee.role))}
        assert {Role.HR, Role.MANAGER, Role.EMPLOYEE, Role.ADMIN} <= roles
        no_manager = await s.scalar(select(func.count(Employee.id)).where(Employee.manager_id.is_(None)))
        assert no_manager == 1  # only the admin at the top
        heads = await s.scalar(select(func.count(Department.id)).where(Department.head_id.is_not(None)))
        assert heads == 3
    assert summary.holidays > 10


async def test_seeding_twice_is_refused(db: Database):
    async with db.transaction() as s:
        await seed_demo(s, today=date(2026, 11, 21))
    with pytest.raises(Conflict):
        async with db.transaction() as s:
            await seed_demo(s, today=date(2026, 11, 21))
