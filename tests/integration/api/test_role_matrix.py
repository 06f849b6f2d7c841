"""Every write endpoint × every token role: allowed roles succeed, the others get 403 and change nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from shared.domain.enums import Role
from shared.model import (
    AuditLog,
    Department,
    Device,
    Employee,
    Holiday,
    HolidayCalendar,
    Invitation,
    LeaveType,
    Office,
    Shift,
)
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.org.tokens import create_token
from tests.integration.api.conftest import ROLES

EDITORS = frozenset({"admin", "hr"})
ADMINS = frozenset({"admin"})


@dataclass(frozen=True)
class Write:
    method: str
    path: str
    ok: int
    body: dict[str, Any] | None = None
    files: dict[str, Any] | None = None
    allowed: frozenset[str] = EDITORS
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


WRITES = [
    Write("POST", "/employees", 201, {"code": "NEW", "full_name": "New Person"}),
    Write("PATCH", "/employees/{employee}", 200, {"phone": "+1 555 0100"}),
    Write("POST", "/employees/{employee}/deactivate", 200),
    Write("POST", "/employees/{inactive}/reactivate", 200),
    Write("POST", "/employees/import", 200, files={"file": ("p.csv", b"code,full_name\nIMP1,Imported\n", "text/csv")}),
    Write("POST", "/departments", 201, {"name": "New dept"}),
    Write("PATCH", "/departments/{department}", 200, {"name": "Renamed"}),
    Write("DELETE", "/departments/{spare_department}", 204),
    Write("POST", "/offices", 201, {"name": "New office"}),
    Write("PATCH", "/offices/{office}", 200, {"timezone": "Asia/Tokyo"}),
    Write("DELETE", "/offices/{office}", 204),
    Write("POST", "/shifts", 201, {"name": "Late", "start_time": "12:00", "end_time": "21:00"}),
    Write("PATCH", "/shifts/{shift}", 200, {"late_grace_minutes": 7}),
    Write("DELETE", "/shifts/{shift}", 204),
    Write("POST", "/leave-types", 201, {"code": "sick", "name": "Sick leave"}),
    Write("PATCH", "/leave-types/{leave_type}", 200, {"yearly_allowance": 30}),
    Write("DELETE", "/leave-types/{leave_type}", 204),
    Write("POST", "/holiday-calendars", 201, {"name": "New calendar"}),
    Write("PATCH", "/holiday-calendars/{calendar}", 200, {"name": "Renamed calendar"}),
    Write("DELETE", "/holiday-calendars/{calendar}", 204),
    Write("POST", "/holiday-calendars/{calendar}/import", 200, {"year": 2026}),
    Write("POST", "/holiday-calendars/{calendar}/holidays", 201, {"date": "2026-06-01", "name": "Founders' day"}),
    Write("PATCH", "/holiday-calendars/{calendar}/holidays/{holiday}", 200, {"name": "Day off"}),
    Write("DELETE", "/holiday-calendars/{calendar}/holidays/{holiday}", 204),
    Write("POST", "/invitations", 201, {"employee_id": 0}, extra={"employee_id": "employee"}),
    Write("POST", "/invitations/{invitation}/revoke", 200),
    Write("POST", "/devices", 201, {"name": "Back door", "host": "10.0.0.9"}),
    Write("PATCH", "/devices/{device}", 200, {"password": 4321}),
    Write("DELETE", "/devices/{device}", 204),
    Write("POST", "/tokens", 201, {"name": "new-token", "role": "readonly"}, allowed=ADMINS),
    Write("POST", "/tokens/{token}/revoke", 200, allowed=ADMINS),
]

READS = {  # path → the roles that may read it (the access policy: api/policy.py)
    "/employees": {"admin", "hr", "manager", "readonly"},
    "/departments": {"admin", "hr", "manager", "readonly"},
    "/offices": {"admin", "hr", "manager", "readonly"},
    "/shifts": {"admin", "hr", "manager", "readonly"},
    "/leave-types": {"admin", "hr", "manager", "readonly"},
    "/holiday-calendars": {"admin", "hr", "manager", "readonly"},
    "/holiday-calendars/{calendar}/holidays": {"admin", "hr", "manager", "readonly"},
    "/invitations": {"admin", "hr", "manager"},
    "/devices": {"admin", "hr", "readonly"},
    "/devices/{device}": {"admin", "hr", "readonly"},
    "/audit-logs": {"admin", "hr", "manager"},
    "/job-runs": {"admin", "hr", "readonly"},
    "/tokens": {"admin"},
}


@pytest.fixture
async def world(db: Database, settings, tokens) -> dict[str, int]:
    """One row of everything the write endpoints touch, none of them referenced by another."""
    async with db.transaction() as s:
        dept, spare = Department(name="Ops"), Department(name="Spare")
        office = Office(name="HQ")
        shift = Shift(name="Day", start_time=time(9), end_time=time(18))
        kind = LeaveType(code="annual", name="Annual")
        calendar = HolidayCalendar(name="Company", country="DE")
        device = Device(name="Front", host="10.0.0.1")
        s.add_all([dept, spare, office, shift, kind, calendar, device])
        await s.flush()
        holiday = Holiday(calendar_id=calendar.id, date=date(2026, 1, 1), name="New Year")
        employee = Employee(code="E1", full_name="Ana", role=Role.EMPLOYEE, department_id=dept.id)
        inactive = Employee(code="E2", full_name="Old", role=Role.EMPLOYEE, active=False)
        s.add_all([holiday, employee, inactive])
        await s.flush()
        now = datetime.now(UTC)
        invitation = Invitation(
            code_hash="x" * 64, employee_id=employee.id, expires_at=now + timedelta(days=1), created_by="test"
        )
        s.add(invitation)
        token, _ = await create_token(s, name="victim", role="readonly", pepper=settings.secret_key, actor=Actor.cli())
        await s.flush()
        return {
            "department": dept.id,
            "spare_department": spare.id,
            "office": office.id,
            "shift": shift.id,
            "leave_type": kind.id,
            "calendar": calendar.id,
            "holiday": holiday.id,
            "device": device.id,
            "employee": employee.id,
            "inactive": inactive.id,
            "invitation": invitation.id,
            "token": token.id,
        }


async def _audit_rows(db: Database) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(AuditLog))


CASES = [(write, role) for write in WRITES for role in ROLES if role in write.allowed]


@pytest.mark.parametrize(("write", "allowed_role"), CASES, ids=[f"{w.id}-{r}" for w, r in CASES])
async def test_each_role_may_write_only_what_it_is_allowed_to(client, headers, world, db, write: Write, allowed_role):
    """The refused roles first (they must change nothing), then one allowed role, which must succeed."""
    path = "/api/v1" + write.path.format(**world)
    body = dict(write.body) if write.body is not None else None
    for key, name in write.extra.items():
        body[key] = world[name]
    before = await _audit_rows(db)
    for role in ROLES:
        if role in write.allowed:
            continue
        response = await client.request(write.method, path, json=body, files=write.files, headers=headers[role])
        assert response.status_code == 403, (role, response.text)
        assert response.json()["error"]["code"] == "forbidden"
    assert await _audit_rows(db) == before
    response = await client.request(write.method, path, json=body, files=write.files, headers=headers[allowed_role])
    assert response.status_code == write.ok, response.text
    assert await _audit_rows(db) > before, "a write must leave an audit row"


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_reads_what_the_policy_grants_it(client, headers, world, role):
    for template, readers in READS.items():
        response = await client.get("/api/v1" + template.format(**world), headers=headers[role])
        assert response.status_code == (200 if role in readers else 403), (template, response.text)
