"""The console's one-time codes against the real Redis: a code signs in once even when two tabs race with
it, wrong guesses end it, and a person who may not sign in gets no code."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from shared.errors import Invalid
from shared.model import Employee, OutboxMessage
from shared.services.console import signin
from tests.factories import Company, make_company

pytestmark = pytest.mark.redis


@pytest.fixture
async def company(db) -> Company:
    return await make_company(db)


NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
PEPPER = "pepper"


async def _send(db, redis, prefix: str, login: str) -> str | None:
    async with db.transaction() as s:
        sent = await signin.send_code(
            s, redis=redis, prefix=prefix, login=login, pepper=PEPPER, now=NOW, company_timezone="UTC",
            ttl_seconds=600,
        )  # fmt: skip
    if sent is None:
        return None
    async with db.session() as s:
        text = (await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()))).first().payload["text"]
    return re.search(r"\b(\d{6})\b", text).group(1)


async def _redeem(db, redis, prefix: str, login: str, code: str) -> signin.SignedIn:
    async with db.transaction() as s:
        return await signin.redeem_code(
            s, redis=redis, prefix=prefix, login=login, code=code, pepper=PEPPER, now=NOW, company_timezone="UTC"
        )


async def test_two_tabs_racing_with_one_code_sign_in_once(db, company, real_redis, redis_prefix):
    for _ in range(3):
        code = await _send(db, real_redis, redis_prefix, "M1")
        results = await asyncio.gather(
            *(_redeem(db, real_redis, redis_prefix, "m1", code) for _ in range(2)), return_exceptions=True
        )
        assert sum(isinstance(r, signin.SignedIn) for r in results) == 1, results
        assert sum(isinstance(r, Invalid) for r in results) == 1, results


async def test_five_wrong_guesses_end_the_code(db, company, real_redis, redis_prefix):
    code = await _send(db, real_redis, redis_prefix, "HR1")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(signin.MAX_CODE_ATTEMPTS):
        with pytest.raises(Invalid):
            await _redeem(db, real_redis, redis_prefix, "HR1", wrong)
    with pytest.raises(Invalid):
        await _redeem(db, real_redis, redis_prefix, "HR1", code)


async def test_employees_unlinked_and_deactivated_people_get_no_code(db, company, real_redis, redis_prefix):
    assert await _send(db, real_redis, redis_prefix, "A1") is None  # an employee
    async with db.transaction() as s:
        await s.execute(update(Employee).where(Employee.code == "M1").values(telegram_user_id=None))
        await s.execute(update(Employee).where(Employee.code == "HR1").values(active=False))
    assert await _send(db, real_redis, redis_prefix, "M1") is None
    assert await _send(db, real_redis, redis_prefix, "HR1") is None
    async with db.session() as s:
        assert (await s.scalars(select(OutboxMessage))).all() == []
