"""A worker trusts a token it checked for API_AUTH_CACHE_SECONDS: revocations elsewhere land within that budget."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from api.main import create_app
from shared.config import Settings
from shared.model import ApiToken
from shared.persistence import Database
from shared.redis_client import create_redis
from shared.services.actor import Actor
from shared.services.org.people import set_employee_active
from shared.services.org.tokens import revoke_token
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
