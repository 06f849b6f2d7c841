"""Nobody acts on themselves: a token bound to a person cannot decide that person's leave, adjust their
balance, set their attendance or add punches for them by hand, whatever its role; on someone else it can."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from shared.model import AuditLog, LeaveLedgerEntry
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.requests import request_leave
from shared.services.org.tokens import create_token
from tests.factories import Company
from tests.integration.api.conftest import NOW

V1 = "/api/v1"


@pytest.fixture
async def bound(db: Database, settings, company: Company) -> dict[str, dict[str, str]]:
    """An HR token bound to Hana (HR) and a manager token bound to Max."""
    found = {}
    async with db.transaction() as s:
        for name, role, who in (("hana", "hr", company.hr_id), ("max", "manager", company.manager_id)):
            _row, plaintext = await create_token(
                s, name=f"self-{name}", role=role, pepper=settings.secret_key, actor=Actor.cli(), employee_id=who
            )
            found[name] = {"Authorization": f"Bearer {plaintext}"}
    return found


async def _count(db: Database, model) -> int:
    async with db.session() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_hr_cannot_raise_their_own_balance(client, db, company: Company, bound):
    body = {"leave_type_id": company.annual_id, "delta": 5, "note": "bonus"}
    before = await _count(db, LeaveLedgerEntry)
    own = await client.post(f"{V1}/ledger/adjust", json=body | {"employee_id": company.hr_id}, headers=bound["hana"])
    assert own.status_code == 403, own.text
    assert "own balance" in own.json()["error"]["message"]
    assert await _count(db, LeaveLedgerEntry) == before
    other = await client.post(
        f"{V1}/ledger/adjust", json=body | {"employee_id": company.alice_id}, headers=bound["hana"]
    )
    assert other.status_code == 201, other.text


async def test_hr_cannot_set_their_own_attendance_or_punch_for_themselves(client, db, company: Company, bound):
    override = {"status": "present", "reason": "Worked from home"}
    before = await _count(db, AuditLog)
    own = await client.put(f"{V1}/attendance/daily/{company.hr_id}/2026-11-20", json=override, headers=bound["hana"])
    assert own.status_code == 403, own.text
    punch = {"employee_id": company.hr_id, "direction": "in", "instant": "2026-11-23T08:00:00Z", "reason": "Forgot"}
    own_punch = await client.post(f"{V1}/attendance/punches", json=punch, headers=bound["hana"])
    assert own_punch.status_code == 403, own_punch.text
    assert await _count(db, AuditLog) == before
    other = await client.put(
        f"{V1}/attendance/daily/{company.alice_id}/2026-11-20", json=override, headers=bound["hana"]
    )
    assert other.status_code == 200, other.text
    punch["employee_id"] = company.alice_id
    assert (await client.post(f"{V1}/attendance/punches", json=punch, headers=bound["hana"])).status_code == 201


async def test_nobody_decides_their_own_leave(client, db, company: Company, bound):
    async with db.transaction() as s:
        requests = {}
        for who in (company.hr_id, company.manager_id, company.alice_id):
            made = await request_leave(
                s, actor=Actor.cli(), employee_id=who, leave_type_id=company.annual_id,
                start=date(2026, 12, 7), end=date(2026, 12, 8), today=NOW.date(), now=NOW,
            )  # fmt: skip
            requests[who] = made.id
    own_hr = await client.post(f"{V1}/leaves/{requests[company.hr_id]}/approve", headers=bound["hana"])
    assert own_hr.status_code == 403 and own_hr.json()["error"]["code"] == "own_request", own_hr.text
    own_manager = await client.post(
        f"{V1}/leaves/{requests[company.manager_id]}/reject", json={"reason": "no"}, headers=bound["max"]
    )
    assert own_manager.status_code == 403, own_manager.text
    assert (await client.post(f"{V1}/leaves/{requests[company.manager_id]}/approve", headers=bound["hana"])).is_success
    assert (await client.post(f"{V1}/leaves/{requests[company.alice_id]}/approve", headers=bound["max"])).is_success
