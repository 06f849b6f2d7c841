"""Tokens bound to a person die with the person's access, and every token may carry an expiry."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from shared.model import ApiToken, AuditLog, Employee
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.requests import request_leave
from tests.factories import Company
from tests.integration.api.conftest import NOW

V1 = "/api/v1"


async def _pending_for_max(db: Database, company: Company) -> int:
    async with db.transaction() as s:
        made = await request_leave(
            s, actor=Actor.cli(), employee_id=company.alice_id, leave_type_id=company.annual_id,
            start=date(2026, 12, 7), end=date(2026, 12, 8), today=NOW.date(), now=NOW,
        )  # fmt: skip
        return made.id


async def test_a_deactivated_managers_token_is_refused_at_once_and_revoked(client, db, company: Company, staff):
    request_id = await _pending_for_max(db, company)
    deactivated = await client.post(f"{V1}/employees/{company.manager_id}/deactivate", headers=staff["hr"])
    assert deactivated.status_code == 200, deactivated.text
    approve = await client.post(f"{V1}/leaves/{request_id}/approve", headers=staff["manager"])
    assert approve.status_code == 401, approve.text
    async with db.session() as s:
        token = await s.scalar(select(ApiToken).where(ApiToken.name == "staff-manager"))
        audits = list(await s.scalars(select(AuditLog).where(AuditLog.entity == "api_token")))
    assert token.revoked_at is not None
    assert any(a.new.get("reason") == "employee_access_ended" for a in audits)
    await client.post(f"{V1}/employees/{company.manager_id}/reactivate", headers=staff["hr"])
    assert (await client.get(f"{V1}/employees", headers=staff["manager"])).status_code == 401, "stays revoked"


async def test_a_token_stops_working_the_day_after_the_leaving_date(client, db, company: Company, staff, clock):
    async with db.transaction() as s:
        (await s.get(Employee, company.manager_id)).leaving_date = NOW.date()  # Berlin: still the 23rd
    assert (await client.get(f"{V1}/employees", headers=staff["manager"])).status_code == 200
    clock.advance(timedelta(hours=15))  # 01:30 on the 24th in Berlin
    assert (await client.get(f"{V1}/employees", headers=staff["manager"])).status_code == 401
    assert (await client.get(f"{V1}/employees", headers=staff["hr"])).status_code == 200, "unbound tokens live on"


async def test_a_token_with_an_expiry_is_refused_from_that_instant(client, admin, clock):
    expires = (clock.now + timedelta(hours=1)).isoformat()
    made = await client.post(
        f"{V1}/tokens", json={"name": "bi", "role": "readonly", "expires_at": expires}, headers=admin
    )
    assert made.status_code == 201, made.text
    assert made.json()["state"] == "active" and made.json()["expires_at"] is not None
    bearer = {"Authorization": f"Bearer {made.json()['token']}"}
    assert (await client.get(f"{V1}/departments", headers=bearer)).status_code == 200
    clock.advance(timedelta(hours=1))
    assert (await client.get(f"{V1}/departments", headers=bearer)).status_code == 401
    listed = (await client.get(f"{V1}/tokens", headers=admin)).json()["items"]
    assert next(t for t in listed if t["name"] == "bi")["state"] == "expired"


async def test_an_expiry_in_the_past_or_a_token_for_someone_deactivated_is_refused(client, admin, db, company, clock):
    past = (clock.now - timedelta(minutes=1)).isoformat()
    response = await client.post(f"{V1}/tokens", json={"name": "old", "role": "hr", "expires_at": past}, headers=admin)
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "expires_at"
    async with db.transaction() as s:
        (await s.get(Employee, company.bob_id)).active = False
    gone = await client.post(
        f"{V1}/tokens", json={"name": "bob", "role": "manager", "employee_id": company.bob_id}, headers=admin
    )
    assert gone.status_code == 422 and gone.json()["error"]["details"][0]["field"] == "employee_id"
