"""The org services called directly (as the bot or CLI would): the same rules hold without the API's schemas."""

from __future__ import annotations

import math

import pytest

from shared.errors import Conflict, Invalid, NotFound
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.devices import admin as devices_admin
from shared.services.leave import types as org_leave_types
from shared.services.org import people as org_people
from shared.services.org import schedules as org_time
from shared.services.org import structure as org_structure

CLI = Actor.cli()


@pytest.mark.parametrize(
    ("create", "values", "field"),
    [
        (org_structure.create_department, {"name": "   "}, "name"),
        (org_structure.create_department, {"name": "X", "max_absent_share": 1.5}, "max_absent_share"),
        (org_structure.create_department, {"name": "X", "budget": 1}, "budget"),
        (org_structure.create_office, {"name": "X", "latitude": math.nan, "longitude": 1, "radius_m": 5}, "latitude"),
        (org_time.create_shift, {"name": "X", "start_time": None, "end_time": None}, "start_time"),
        (org_leave_types.create_leave_type, {"code": "x", "name": "X", "accrual": "weekly"}, "accrual"),
        (org_people.create_employee, {"code": "E1", "full_name": "A", "role": "boss"}, "role"),
        (org_people.create_employee, {"code": "E1", "full_name": "A", "work_week": "1123"}, "work_week"),
        (org_people.create_employee, {"code": "E1", "full_name": "A", "locale": "fr"}, "locale"),
        (org_people.create_employee, {"code": "bad code", "full_name": "A"}, "code"),
        (org_time.create_calendar, {"name": "C", "subdivision": "BE"}, "subdivision"),
        (devices_admin.create_device, {"name": "D", "host": "h", "port": 70000}, "port"),
        (devices_admin.create_device, {"name": "D", "host": "h", "direction_mode": "sideways"}, "direction_mode"),
    ],
)
async def test_bad_values_are_invalid_and_name_the_field(db: Database, create, values, field):
    async with db.transaction() as s:
        with pytest.raises(Invalid) as caught:
            await create(s, actor=CLI, values=values)
    assert caught.value.details == {"field": field}


async def test_text_is_trimmed_and_uniqueness_ignores_case(db: Database):
    async with db.transaction() as s:
        dept = await org_structure.create_department(s, actor=CLI, values={"name": "  Ops  "})
        assert dept.name == "Ops"
        with pytest.raises(Conflict):
            await org_structure.create_department(s, actor=CLI, values={"name": "ops"})


async def test_unknown_ids_are_not_found(db: Database):
    async with db.transaction() as s:
        for call in (
            org_structure.update_department(s, actor=CLI, department_id=9, values={}),
            org_structure.delete_office(s, actor=CLI, office_id=9),
            org_people.set_employee_active(s, actor=CLI, employee_id=9, active=False),
            devices_admin.delete_device(s, actor=CLI, device_id=9),
        ):
            with pytest.raises(NotFound):
                await call


async def test_an_update_that_changes_nothing_writes_no_audit_row(db: Database):
    from sqlalchemy import func, select

    from shared.model import AuditLog

    async with db.transaction() as s:
        dept = await org_structure.create_department(s, actor=CLI, values={"name": "Ops"})
        await org_structure.update_department(s, actor=CLI, department_id=dept.id, values={"name": "Ops"})
        assert await s.scalar(select(func.count()).select_from(AuditLog)) == 1
