"""Tokens over HTTP (admin only): create (shown once), list (never secrets), revoke (effective at once)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from shared.model import ApiToken
from shared.persistence import Database

URL = "/api/v1/tokens"


async def test_a_token_is_created_shown_once_and_works(client, admin):
    created = await client.post(URL, json={"name": "payroll", "role": "readonly"}, headers=admin)
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    assert token.startswith("chr_") and created.json()["role"] == "readonly"
    listed = await client.get(URL, headers=admin)
    assert token not in listed.text and "payroll" in listed.text and "token_hash" not in listed.text
    read = await client.get("/api/v1/departments", headers={"Authorization": f"Bearer {token}"})
    assert read.status_code == 200


async def test_a_revoked_token_stops_working_immediately(client, admin, headers):
    listed = (await client.get(URL, params={"revoked": "false"}, headers=admin)).json()["items"]
    hr = next(t for t in listed if t["name"] == "test-hr")
    assert (await client.get("/api/v1/employees", headers=headers["hr"])).status_code == 200
    revoked = await client.post(f"{URL}/{hr['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    response = await client.get("/api/v1/employees", headers=headers["hr"])
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


async def test_a_manager_token_must_name_an_employee(client, admin, boss):
    response = await client.post(URL, json={"name": "m", "role": "manager"}, headers=admin)
    assert response.status_code == 422
    ok = await client.post(URL, json={"name": "m", "role": "manager", "employee_id": boss.id}, headers=admin)
    assert ok.status_code == 201 and ok.json()["employee_id"] == boss.id


async def test_a_duplicate_token_name_is_a_conflict(client, admin):
    assert (await client.post(URL, json={"name": "test-admin", "role": "admin"}, headers=admin)).status_code == 409


async def test_last_used_is_written_at_most_once_a_minute(client, admin, db: Database, clock):
    async def last_used():
        async with db.session() as s:
            return await s.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "test-admin"))

    await client.get("/api/v1/departments", headers=admin)
    first = await last_used()
    assert first is not None and abs((first - clock.now).total_seconds()) < 1
    clock.advance(timedelta(seconds=30))
    await client.get("/api/v1/departments", headers=admin)
    assert await last_used() == first
    clock.advance(timedelta(seconds=31))
    await client.get("/api/v1/departments", headers=admin)
    assert await last_used() > first
