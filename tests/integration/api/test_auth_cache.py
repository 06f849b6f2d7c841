"""A worker trusts a token it checked for API_AUTH_CACHE_SECONDS: revocations elsewhere land within that budget."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

import api.deps
from api.main import create_app
from shared.config import Settings
from shared.model import ApiToken
from shared.persistence import Database
from shared.redis_client import create_redis
from shared.services.actor import Actor
from shared.services.org.people import set_employee_active
from shared.services.org.tokens import read_grant, revoke_token, touch_token
from tests.factories import Company

V1 = "/api/v1"


def other_worker(settings: Settings, db: Database, clock, **changes: float) -> httpx.AsyncClient:
    """A second app over the same database: what another uvicorn worker is."""
    app: FastAPI = create_app(
        settings.model_copy(update=changes), db, create_redis(""), clock=clock, metrics_cache_seconds=0
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def _revoke_elsewhere(db: Database, name: str, clock) -> None:
    async with db.transaction() as s:
        token_id = await s.scalar(select(ApiToken.id).where(ApiToken.name == name))
        await revoke_token(s, token_id=token_id, actor=Actor.cli(), now=clock.now)


async def test_a_token_revoked_through_this_worker_is_refused_on_the_next_request(client, headers, db):
    assert (await client.get(f"{V1}/departments", headers=headers["readonly"])).status_code == 200
    async with db.session() as s:
        token_id = await s.scalar(select(ApiToken.id).where(ApiToken.name == "test-readonly"))
    revoked = await client.post(f"{V1}/tokens/{token_id}/revoke", headers=headers["admin"])
    assert revoked.status_code == 200, revoked.text
    assert (await client.get(f"{V1}/departments", headers=headers["readonly"])).status_code == 401


async def test_a_revocation_on_another_worker_lands_within_the_cache_budget(client, headers, db, settings, clock):
    assert settings.api_auth_cache_seconds == 5
    async with other_worker(settings, db, clock) as second:
        assert (await second.get(f"{V1}/departments", headers=headers["readonly"])).status_code == 200
        async with db.session() as s:
            token_id = await s.scalar(select(ApiToken.id).where(ApiToken.name == "test-readonly"))
        assert (await client.post(f"{V1}/tokens/{token_id}/revoke", headers=headers["admin"])).status_code == 200
        clock.advance(timedelta(seconds=4))
        assert (await second.get(f"{V1}/departments", headers=headers["readonly"])).status_code == 200, "trusted"
        clock.advance(timedelta(seconds=1))
        assert (await second.get(f"{V1}/departments", headers=headers["readonly"])).status_code == 401


async def test_a_revocation_by_the_cli_lands_within_the_cache_budget(client, headers, db, clock):
    assert (await client.get(f"{V1}/departments", headers=headers["hr"])).status_code == 200
    await _revoke_elsewhere(db, "test-hr", clock)
    clock.advance(timedelta(seconds=5))
    assert (await client.get(f"{V1}/departments", headers=headers["hr"])).status_code == 401


async def test_a_deactivation_in_the_bot_ends_a_bound_token_within_the_budget(
    client, db, company: Company, staff, clock
):
    assert (await client.get(f"{V1}/employees", headers=staff["manager"])).status_code == 200
    async with db.transaction() as s:
        await set_employee_active(s, actor=Actor.cli(), employee_id=company.manager_id, active=False)
    clock.advance(timedelta(seconds=5))
    assert (await client.get(f"{V1}/employees", headers=staff["manager"])).status_code == 401


async def test_without_the_cache_a_revocation_elsewhere_is_refused_at_once(headers, db, settings, clock):
    async with other_worker(settings, db, clock, api_auth_cache_seconds=0) as uncached:
        assert (await uncached.get(f"{V1}/departments", headers=headers["readonly"])).status_code == 200
        await _revoke_elsewhere(db, "test-readonly", clock)
        assert (await uncached.get(f"{V1}/departments", headers=headers["readonly"])).status_code == 401


async def test_a_cached_token_is_still_refused_from_its_expiry_instant(client, admin, clock):
    expires = (clock.now + timedelta(seconds=2)).isoformat()
    made = await client.post(
        f"{V1}/tokens", json={"name": "short", "role": "readonly", "expires_at": expires}, headers=admin
    )
    bearer = {"Authorization": f"Bearer {made.json()['token']}"}
    assert (await client.get(f"{V1}/departments", headers=bearer)).status_code == 200
    clock.advance(timedelta(seconds=2))
    assert (await client.get(f"{V1}/departments", headers=bearer)).status_code == 401


async def test_a_clock_that_went_back_does_not_stretch_the_trust(client, headers, db, clock):
    assert (await client.get(f"{V1}/departments", headers=headers["readonly"])).status_code == 200
    await _revoke_elsewhere(db, "test-readonly", clock)
    clock.advance(timedelta(seconds=-30))
    assert (await client.get(f"{V1}/departments", headers=headers["readonly"])).status_code == 401


class Lookups:
    """The token lookups and last-use writes the API makes. Each lookup reads, then takes a moment (or
    waits for ``release`` when set) before its answer is used, so requests arriving meanwhile find it in
    flight."""

    def __init__(self) -> None:
        self.reads = 0
        self.touches = 0
        self.release: asyncio.Event | None = None
        self.read = asyncio.Event()  # set on every read

    async def until_read(self, count: int) -> None:
        while self.reads < count:
            self.read.clear()
            await self.read.wait()


@pytest.fixture
def counted(monkeypatch) -> Lookups:
    calls = Lookups()

    async def slow_read_grant(reads, *, digest):
        found = await read_grant(reads, digest=digest)
        calls.reads += 1
        calls.read.set()
        if calls.release is not None:
            await calls.release.wait()
        else:
            await asyncio.sleep(0.05)
        return found

    async def counted_touch(session, *, token_id, now):
        calls.touches += 1
        await touch_token(session, token_id=token_id, now=now)

    monkeypatch.setattr(api.deps, "read_grant", slow_read_grant)
    monkeypatch.setattr(api.deps, "touch_token", counted_touch)
    return calls


async def test_requests_that_find_a_cached_token_expired_together_look_it_up_once(client, headers, clock, counted):
    assert (await client.get(f"{V1}/departments", headers=headers["readonly"])).status_code == 200
    clock.advance(timedelta(minutes=2))  # the entry has expired and the last use is due to be noted again
    counted.reads = counted.touches = 0
    answers = await asyncio.gather(*(client.get(f"{V1}/departments", headers=headers["readonly"]) for _ in range(8)))
    assert [a.status_code for a in answers] == [200] * 8
    assert (counted.reads, counted.touches) == (1, 1)


async def test_a_token_revoked_while_its_lookup_is_in_flight_is_refused_by_later_requests(client, headers, db, counted):
    assert (await client.get(f"{V1}/departments", headers=headers["admin"])).status_code == 200
    async with db.session() as s:
        token_id = await s.scalar(select(ApiToken.id).where(ApiToken.name == "test-readonly"))
    counted.release = asyncio.Event()
    counted.reads = 0
    in_flight = asyncio.create_task(client.get(f"{V1}/departments", headers=headers["readonly"]))
    await counted.until_read(1)  # its lookup has read the token, still live, and is held
    revoked = await client.post(f"{V1}/tokens/{token_id}/revoke", headers=headers["admin"])
    assert revoked.status_code == 200, revoked.text
    later = asyncio.create_task(client.get(f"{V1}/departments", headers=headers["readonly"]))
    await counted.until_read(2)  # the later request looked the token up itself
    counted.release.set()
    assert (await in_flight).status_code == 200  # it began before the revocation
    assert (await later).status_code == 401
    assert (await client.get(f"{V1}/departments", headers=headers["readonly"])).status_code == 401, "not kept"
