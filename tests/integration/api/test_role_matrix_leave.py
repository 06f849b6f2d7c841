"""Leave and attendance writes × every token role, the manager token both on its own report and on someone
outside its line: allowed roles succeed and leave an audit row by the token, the others get 403 and change
nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from shared.model import AuditLog, Employee
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.requests import request_leave
from tests.factories import Company
from tests.integration.api.conftest import NOW

# The manager token is bound to Max: "manager" acts on Alice (his report), "manager-other" on Olga (not).
ROLES = ("admin", "hr", "manager", "manager-other", "readonly")
EDITORS = frozenset({"admin", "hr"})
DECIDERS = frozenset({"admin", "hr", "manager"})


@dataclass(frozen=True)
class Write:
    method: str
    path: str
    ok: int
    body: dict[str, Any] | None = None
    allowed: frozenset[str] = EDITORS

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


WRITES = [
    Write(
        "POST",
        "/leaves",
        201,
        {
            "employee_id": "{who}",
            "leave_type_id": "{sick}",
            "start_date": "2027-01-04",
            "end_date": "2027-01-05",
            "attachment_file_id": "note",
        },
    ),
    Write("POST", "/leaves/{request}/approve", 200, allowed=DECIDERS),
    Write("POST", "/leaves/{request}/reject", 200, {"reason": "Busy month"}, allowed=DECIDERS),
    Write("POST", "/leaves/{request}/cancel", 200),
    Write("POST", "/ledger/adjust", 201, {"employee_id": "{who}", "leave_type_id": "{sick}", "delta": 1, "note": "x"}),
    Write(
        "POST",
        "/attendance/punches",
        201,
        {"employee_id": "{who}", "direction": "in", "instant": "2026-11-23T08:00:00Z", "reason": "Forgot"},
    ),
    Write("PUT", "/attendance/daily/{who}/2026-11-20", 200, {"status": "present", "reason": "Client site"}),
    Write("POST", "/attendance/process", 200, {"date_from": "2026-11-16", "date_to": "2026-11-20"}),
]


@pytest.fixture
async def targets(db: Database, company: Company) -> dict[str, dict[str, int]]:
    """Per target ("report": Alice, "other": Olga outside Max's line): the employee and a pending request."""
    async with db.transaction() as s:
        olga = Employee(code="OUT", full_name="Olga Outside", timezone="Europe/Berlin")
        s.add(olga)
        await s.flush()
        found = {}
        for name, who in (("report", company.alice_id), ("other", olga.id)):
            request = await request_leave(
                s,
                actor=Actor.cli(),
                employee_id=who,
                leave_type_id=company.sick_id,
                start=date(2026, 12, 1),
                end=date(2026, 12, 2),
                attachment_file_id="note",
                today=NOW.date(),
                now=NOW,
            )
            found[name] = {"who": who, "request": request.id, "sick": company.sick_id}
        return found


def _fill(value: Any, names: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return names[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    return value


async def _audit_rows(db: Database) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(AuditLog))


CASES = [(write, role) for write in WRITES for role in ROLES if role in write.allowed]


@pytest.mark.parametrize(("write", "allowed_role"), CASES, ids=[f"{w.id}-{r}" for w, r in CASES])
async def test_each_role_may_write_only_what_it_is_allowed_to(client, staff, targets, db, write: Write, allowed_role):
    before = await _audit_rows(db)

    def call(role: str):
        names = targets["other" if role == "manager-other" else "report"]
        token = staff["manager" if role.startswith("manager") else role]
        path = "/api/v1" + write.path.format(**names)
        return client.request(write.method, path, json=_fill(write.body, names), headers=token)

    for role in ROLES:
        if role in write.allowed:
            continue
        response = await call(role)
        assert response.status_code == 403, (role, response.text)
        assert response.json()["error"]["code"] in {"forbidden", "not_allowed_to_cancel"}, role
    assert await _audit_rows(db) == before
    response = await call(allowed_role)
    assert response.status_code == write.ok, response.text
    async with db.session() as s:
        actors = set(await s.scalars(select(AuditLog.actor).order_by(AuditLog.id).offset(before)))
    assert actors == {f"token:staff-{allowed_role}"}, "a write must leave an audit row by the token"
