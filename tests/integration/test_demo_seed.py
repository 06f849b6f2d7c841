"""The demo company seeds completely and only into an empty database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from sandbox.demo.seed import seed_demo
from shared.domain.enums import Role
from shared.domain.hourly import LeaveUnit
from shared.errors import Conflict
from shared.model import Delegation, Department, Employee, Holiday, LeaveType, Shift
from shared.persistence import Database
from shared.services.leave.chain_admin import get_chain


async def test_the_demo_company_has_everything_the_walkthrough_needs(db: Database):
    async with db.transaction() as s:
        summary = await seed_demo(s, today=date(2026, 11, 21))
    async with db.session() as s:
        assert await s.scalar(select(func.count(Department.id))) == 3
        assert await s.scalar(select(func.count(Employee.id))) == 25
        assert await s.scalar(select(func.count(Shift.id))) == 2
        assert await s.scalar(select(func.count(LeaveType.id))) == 6
        hourly = await s.scalar(select(LeaveType).where(LeaveType.unit == LeaveUnit.HOURS))
        assert hourly is not None and hourly.step_minutes == 30
        annual = await s.scalar(select(LeaveType.id).where(LeaveType.code == "ANNUAL"))
        assert len(await get_chain(s, leave_type_id=annual)) == 2
        (delegation,) = list(await s.scalars(select(Delegation)))
        assert delegation.start_date > date(2026, 11, 21)
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


async def test_every_one_of_the_last_fourteen_days_has_something_in_the_digest(db: Database):
    from datetime import UTC, datetime, timedelta

    from sandbox.demo.punches import EMPLOYEE_ZONE, device_records, stranger_records
    from sandbox.demo.runner import badges, punching
    from shared.domain.enums import Direction, PunchSource
    from shared.model import Punch
    from shared.services.attendance.processing import process_days
    from shared.services.notify.digest import load_digest

    now = datetime(2026, 12, 3, 10, 0, tzinfo=EMPLOYEE_ZONE)
    today = now.date()
    async with db.transaction() as s:
        await seed_demo(s, today=today)
    office, warehouse = badges()
    records = device_records(punching(office + warehouse), zone="Europe/Berlin", today=today, now=now)
    records += stranger_records(zone="Europe/Berlin", today=today)
    async with db.transaction() as s:
        people = {e.device_user_id: e.id for e in await s.scalars(select(Employee))}
        s.add_all(
            Punch(employee_id=people.get(r.user_id), device_user_id=r.user_id, source=PunchSource.DEVICE,
                  instant=r.timestamp.replace(tzinfo=EMPLOYEE_ZONE).astimezone(UTC),
                  direction=Direction.IN if r.punch == 0 else Direction.OUT)
            for r in records
        )  # fmt: skip
    async with db.transaction() as s:
        await process_days(s, date_from=today - timedelta(days=14), date_to=today - timedelta(days=1),
                           now=now.astimezone(UTC), company_timezone="Europe/Berlin")  # fmt: skip
    quiet = []
    kinds = set()
    for back in range(1, 15):
        day = today - timedelta(days=back)
        async with db.session() as s:
            digest = await load_digest(s, day=day, today=today, company_timezone="Europe/Berlin",
                                       now=now.astimezone(UTC))  # fmt: skip
        if not (digest.rows or digest.unknown_users):
            quiet.append(day)
        kinds |= {r.kind for r in digest.rows}
    assert quiet == []
    assert len(kinds) >= 4, kinds  # late, early, missing check-out, absent
