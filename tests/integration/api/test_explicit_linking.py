"""Linking is explicit: a new code supersedes the person's earlier ones, an already linked person is re-linked
only with HR's confirmation, the chat that loses the link is told, and the audit log names both accounts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from shared.domain.enums import Role
from shared.errors import Forbidden
from shared.model import AuditLog, Employee, Invitation, OutboxMessage
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.org.invitations import AlreadyLinked, create_invitation, redeem_invitation

URL = "/api/v1/invitations"
PEPPER = "link-pepper"
NOW = datetime(2026, 4, 1, 9, tzinfo=UTC)


async def _employee(db: Database, *, telegram: int | None = None) -> int:
    async with db.transaction() as s:
        employee = Employee(code="E1", full_name="Ana Link", role=Role.EMPLOYEE, telegram_user_id=telegram, locale="ru")
        s.add(employee)
        await s.flush()
        return employee.id


async def _invite(db: Database, employee_id: int, *, relink: bool = False) -> str:
    async with db.transaction() as s:
        made = await create_invitation(
            s, employee_id=employee_id, actor=Actor.cli(), pepper=PEPPER, now=NOW, relink=relink
        )
        return made.code


async def _redeem(db: Database, code: str, telegram: int) -> Employee:
    async with db.transaction() as s:
        return await redeem_invitation(s, code=code, telegram_user_id=telegram, now=NOW, pepper=PEPPER)


async def test_a_new_invitation_revokes_the_persons_earlier_pending_codes(client, admin, db: Database):
    employee_id = await _employee(db)
    first = (await client.post(URL, json={"employee_id": employee_id}, headers=admin)).json()
    second = (await client.post(URL, json={"employee_id": employee_id}, headers=admin)).json()
    assert (await client.get(f"{URL}/{first['id']}", headers=admin)).json()["state"] == "revoked"
    assert (await client.get(f"{URL}/{second['id']}", headers=admin)).json()["state"] == "pending"
    async with db.session() as s:
        reasons = [r.new.get("reason") for r in await s.scalars(select(AuditLog).where(AuditLog.action == "revoke"))]
    assert reasons == ["superseded"]


async def test_inviting_a_linked_person_needs_a_confirmed_relink(client, admin, db: Database):
    employee_id = await _employee(db, telegram=7001)
    refused = await client.post(URL, json={"employee_id": employee_id}, headers=admin)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "already_linked" and "Ana Link" in refused.json()["error"]["message"]
    confirmed = await client.post(URL, json={"employee_id": employee_id, "relink": True}, headers=admin)
    assert confirmed.status_code == 201 and confirmed.json()["relink"] is True


async def test_a_plain_code_never_moves_a_linked_person_to_another_account(db: Database):
    employee_id = await _employee(db)
    old_code = await _invite(db, employee_id)
    async with db.transaction() as s:  # the person got linked meanwhile (e.g. before codes superseded each other)
        (await s.get(Employee, employee_id)).telegram_user_id = 7001
    with pytest.raises(AlreadyLinked):
        await _redeem(db, old_code, 6666)
    async with db.session() as s:
        assert (await s.get(Employee, employee_id)).telegram_user_id == 7001
        assert (await s.scalar(select(Invitation))).used_at is None


async def test_a_confirmed_relink_moves_the_link_tells_the_old_chat_and_is_audited(db: Database):
    employee_id = await _employee(db, telegram=7001)
    code = await _invite(db, employee_id, relink=True)
    moved = await _redeem(db, code, 8002)
    assert moved.telegram_user_id == 8002
    async with db.session() as s:
        told = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 7001)))
        entry = await s.scalar(select(AuditLog).where(AuditLog.action == "relink_telegram"))
    assert len(told) == 1 and "Ana Link" in told[0].payload["text"]
    assert any("а" <= ch <= "я" for ch in told[0].payload["text"].lower()), "in the person's language"
    assert entry.entity_id == str(employee_id)
    assert entry.old["telegram_user_id"] == 7001 and entry.new["telegram_user_id"] == 8002


async def test_the_same_account_redeeming_a_relink_code_changes_nothing_and_tells_nobody(db: Database):
    employee_id = await _employee(db, telegram=7001)
    await _redeem(db, await _invite(db, employee_id, relink=True), 7001)
    async with db.session() as s:
        assert list(await s.scalars(select(OutboxMessage))) == []


async def test_only_hr_invites(db: Database):
    employee_id = await _employee(db)
    async with db.transaction() as s:
        with pytest.raises(Forbidden):
            await create_invitation(
                s, employee_id=employee_id, actor=Actor.for_employee(employee_id, Role.EMPLOYEE), pepper=PEPPER, now=NOW
            )


async def test_two_invitations_created_at_once_leave_exactly_one_pending_code(db: Database):
    """The check-then-write (revoke the pending, add the new) is serialised per person: real parallel
    connections on PostgreSQL, one transaction each."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite serialises every write transaction; the race exists on PostgreSQL")
    employee_id = await _employee(db)
    await asyncio.gather(*(_invite(db, employee_id) for _ in range(4)))
    async with db.session() as s:
        rows = list(await s.scalars(select(Invitation)))
    assert len(rows) == 4 and sum(1 for r in rows if r.revoked_at is None) == 1
