"""Invitations: the code is shown once and stored hashed; list, revoke; redeeming links Telegram once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from shared.domain.enums import Role
from shared.errors import Conflict, Forbidden, Invalid
from shared.model import AuditLog, Employee, Invitation
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.org.invitations import bot_username_key, create_invitation, redeem_invitation
from shared.services.secrets import keyed_hash, normalize_invitation_code

URL = "/api/v1/invitations"
PEPPER = "invite-pepper"
NOW = datetime(2026, 4, 1, 9, tzinfo=UTC)


async def _employee(db: Database, code: str = "E1", *, active: bool = True) -> Employee:
    async with db.transaction() as s:
        employee = Employee(code=code, full_name=f"Person {code}", role=Role.EMPLOYEE, active=active)
        s.add(employee)
        await s.flush()
        return employee


async def test_an_invitation_code_is_returned_once_and_stored_as_a_hash(client, admin, db: Database, settings):
    employee = await _employee(db)
    response = await client.post(URL, json={"employee_id": employee.id}, headers=admin)
    assert response.status_code == 201, response.text
    body = response.json()
    code = body["code"]
    assert len(code) == 10 and body["state"] == "pending" and body["deep_link"] is None
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=6, hours=23) < expires - datetime.fromisoformat(body["created_at"]) <= timedelta(days=7)
    async with db.session() as s:
        row = await s.scalar(select(Invitation))
        audit = await s.scalar(select(AuditLog).where(AuditLog.entity == "invitation"))
    assert row.code_hash == keyed_hash(normalize_invitation_code(code), settings.secret_key)
    assert code not in row.code_hash and "code_hash" not in audit.new
    listed = await client.get(URL, headers=admin)
    assert code not in listed.text and listed.json()["items"][0]["state"] == "pending"
    assert code not in (await client.get(f"{URL}/{body['id']}", headers=admin)).text


async def test_a_deep_link_is_given_when_the_bot_published_its_username(client, admin, db: Database, redis, settings):
    employee = await _employee(db)
    await redis.set(bot_username_key(settings.redis_prefix), "chronos_hr_bot")
    await redis.set(bot_username_key("another-installation"), "someone_elses_bot")
    try:
        body = (await client.post(URL, json={"employee_id": employee.id}, headers=admin)).json()
    finally:
        await redis.delete(bot_username_key(settings.redis_prefix), bot_username_key("another-installation"))
    assert body["deep_link"] == f"https://t.me/chronos_hr_bot?start={body['code']}"


async def test_another_installations_bot_is_never_in_our_links(client, admin, db: Database, redis):
    employee = await _employee(db)
    await redis.set(bot_username_key("another-installation"), "someone_elses_bot")
    try:
        body = (await client.post(URL, json={"employee_id": employee.id}, headers=admin)).json()
    finally:
        await redis.delete(bot_username_key("another-installation"))
    assert body["deep_link"] is None


async def test_an_invitation_is_revoked_and_then_listed_as_revoked(client, admin, db: Database):
    employee = await _employee(db)
    created = (await client.post(URL, json={"employee_id": employee.id}, headers=admin)).json()
    revoked = await client.post(f"{URL}/{created['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert (await client.post(f"{URL}/{created['id']}/revoke", headers=admin)).status_code == 200
    assert (await client.get(URL, params={"state": "revoked"}, headers=admin)).json()["total"] == 1
    assert (await client.get(URL, params={"state": "pending"}, headers=admin)).json()["total"] == 0


async def test_an_invitation_expires_with_the_clock(client, admin, db: Database, clock):
    employee = await _employee(db)
    created = (await client.post(URL, json={"employee_id": employee.id, "expires_in_days": 1}, headers=admin)).json()
    clock.advance(timedelta(days=1, seconds=1))
    assert (await client.get(f"{URL}/{created['id']}", headers=admin)).json()["state"] == "expired"


async def test_inviting_a_missing_or_deactivated_employee_is_refused(client, admin, db: Database):
    assert (await client.post(URL, json={"employee_id": 999}, headers=admin)).status_code == 404
    gone = await _employee(db, "OLD", active=False)
    response = await client.post(URL, json={"employee_id": gone.id}, headers=admin)
    assert response.status_code == 422 and response.json()["error"]["details"][0]["field"] == "employee_id"


# ------------------------------------------------------------------ redeem (the bot's side)


async def _invite(db: Database, employee: Employee, *, ttl: timedelta = timedelta(days=7)) -> str:
    async with db.transaction() as s:
        created = await create_invitation(
            s, employee_id=employee.id, actor=Actor.cli(), pepper=PEPPER, now=NOW, ttl=ttl
        )
        return created.code


async def _redeem(db: Database, code: str, telegram_user_id: int, now: datetime = NOW) -> Employee:
    async with db.transaction() as s:
        return await redeem_invitation(s, code=code, telegram_user_id=telegram_user_id, now=now, pepper=PEPPER)


async def test_redeeming_links_the_telegram_user_and_uses_the_code_up(db: Database):
    employee = await _employee(db)
    code = await _invite(db, employee)
    typed = "-".join([code[:5].lower(), code[5:].lower()])  # typed by hand: lower case, a dash
    linked = await _redeem(db, typed, 5551)
    assert linked.id == employee.id and linked.telegram_user_id == 5551
    async with db.session() as s:
        row = await s.scalar(select(Invitation))
        actions = [a for (a,) in await s.execute(select(AuditLog.action).order_by(AuditLog.id))]
    assert row.used_at == NOW and row.used_by_telegram_id == 5551
    assert actions[-2:] == ["redeem", "link_telegram"]
    with pytest.raises(Invalid, match="already used"):
        await _redeem(db, code, 5551)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("unknown", "not valid"),
        ("expired", "expired"),
        ("revoked", "withdrawn"),
    ],
)
async def test_a_code_that_cannot_be_used_is_invalid_with_a_next_step(db: Database, setup, message):
    employee = await _employee(db)
    code = await _invite(db, employee, ttl=timedelta(days=1))
    now = NOW
    if setup == "unknown":
        code = "WRONGCODE2"
    elif setup == "expired":
        now = NOW + timedelta(days=2)
    else:
        async with db.transaction() as s:
            (await s.scalar(select(Invitation))).revoked_at = NOW
    with pytest.raises(Invalid, match=message) as caught:
        await _redeem(db, code, 5551, now)
    assert "HR" in str(caught.value)


async def test_a_deactivated_employee_cannot_redeem(db: Database):
    employee = await _employee(db)
    code = await _invite(db, employee)
    async with db.transaction() as s:
        (await s.get(Employee, employee.id)).active = False
    with pytest.raises(Forbidden):
        await _redeem(db, code, 5551)


async def test_a_telegram_account_linked_to_someone_else_is_a_conflict(db: Database):
    first, second = await _employee(db, "E1"), await _employee(db, "E2")
    await _redeem(db, await _invite(db, first), 5551)
    with pytest.raises(Conflict):
        await _redeem(db, await _invite(db, second), 5551)


async def test_a_configured_bot_username_makes_the_deep_link(client, admin, db: Database, settings):
    employee = await _employee(db)
    settings.bot_username = "@acme_hr_bot"
    body = (await client.post(URL, json={"employee_id": employee.id}, headers=admin)).json()
    assert body["deep_link"] == f"https://t.me/acme_hr_bot?start={body['code']}"
