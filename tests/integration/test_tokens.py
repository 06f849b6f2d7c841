"""API tokens are shown once and stored as a keyed hash; revoked tokens stop working."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from shared.errors import Conflict, Invalid
from shared.model import ApiToken, AuditLog
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.org.tokens import authenticate_token, create_token, revoke_token

PEPPER = "test-pepper"
NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


async def test_a_token_is_stored_only_as_a_hash_and_authenticates(db: Database):
    async with db.transaction() as s:
        _token, plaintext = await create_token(s, name="payroll", role="hr", pepper=PEPPER, actor=Actor.cli())
    async with db.transaction() as s:
        row = await s.scalar(select(ApiToken))
        assert plaintext not in row.token_hash and row.token_hash != plaintext
        found = await authenticate_token(s, token=plaintext, pepper=PEPPER, now=NOW)
        assert found is not None and found.name == "payroll" and found.last_used_at == NOW
        audit = await s.scalar(select(AuditLog).where(AuditLog.entity == "api_token"))
        assert "token_hash" not in audit.new


async def test_a_wrong_token_or_pepper_does_not_authenticate(db: Database):
    async with db.transaction() as s:
        _token, plaintext = await create_token(s, name="a", role="admin", pepper=PEPPER, actor=Actor.cli())
        assert await authenticate_token(s, token=plaintext + "x", pepper=PEPPER, now=NOW) is None
        assert await authenticate_token(s, token=plaintext, pepper="other", now=NOW) is None


async def test_a_revoked_token_stops_working(db: Database):
    async with db.transaction() as s:
        token, plaintext = await create_token(s, name="a", role="admin", pepper=PEPPER, actor=Actor.cli())
        await revoke_token(s, token_id=token.id, actor=Actor.cli(), now=NOW)
        assert await authenticate_token(s, token=plaintext, pepper=PEPPER, now=NOW) is None


async def test_token_names_are_unique(db: Database):
    async with db.transaction() as s:
        await create_token(s, name="a", role="admin", pepper=PEPPER, actor=Actor.cli())
        with pytest.raises(Conflict):
            await create_token(s, name="a", role="hr", pepper=PEPPER, actor=Actor.cli())


@pytest.mark.parametrize(("name", "role"), [("", "admin"), ("x", "boss"), ("m", "manager")])
async def test_bad_token_requests_are_refused(db: Database, name, role):
    async with db.transaction() as s:
        with pytest.raises(Invalid):
            await create_token(s, name=name, role=role, pepper=PEPPER, actor=Actor.cli())
