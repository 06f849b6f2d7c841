"""The API when its dependencies fail: 503 with Retry-After in the error shape, within the request budget.

The app runs in-process over a PostgreSQL database reached through a TCP proxy we control, and a
redis-server of the test's own.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from api.main import create_app
from shared.config import Settings
from shared.persistence import Database, DbTimeouts
from shared.redis_client import create_redis
from shared.services.actor import Actor
from shared.services.org.tokens import create_token
from tests.conftest import _wipe
from tests.factories import make_company
from tests.faults.proxy import TcpProxy
from tests.faults.redis_server import RedisServer

pytestmark = [pytest.mark.postgres]

FAST = DbTimeouts(connect=1.0, pool=1.0, statement=1.0)


def _settings(**overrides: Any) -> Settings:
    return Settings(_env_file=None, api_secret_key="fault-secret", **overrides)  # type: ignore[call-arg]


async def _token(db: Database, settings: Settings) -> dict[str, str]:
    async with db.transaction() as s:
        _row, plaintext = await create_token(s, name="faults", role="admin", pepper=settings.secret_key,
                                             actor=Actor.cli())  # fmt: skip
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.fixture
async def seeded(pg_url: str) -> AsyncIterator[str]:
    """The run's PostgreSQL database, wiped, with a company in it."""
    db = Database.from_url(pg_url)
    await _wipe(db)
    await make_company(db)
    await db.dispose()
    yield pg_url


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test", timeout=60)


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    body = response.json()
    assert body["error"]["code"] == "unavailable" and body["error"]["message"]
    assert body["request_id"] == response.headers["X-Request-ID"]


async def test_a_refused_database_is_a_503_with_retry_after_not_a_500(seeded: str, pg_proxy: TcpProxy) -> None:
    settings = _settings()
    direct = Database.from_url(seeded)
    headers = await _token(direct, settings)
    await direct.dispose()
    db = Database.from_url(pg_proxy.url_for(seeded), timeouts=FAST)
    app = create_app(settings, db, create_redis(""), report_cache_seconds=0)
    async with _client(app) as client:
        assert (await client.get("/api/v1/employees", headers=headers)).status_code == 200
        pg_proxy.refuse()
        _assert_unavailable(await client.get("/api/v1/employees", headers=headers))
        pg_proxy.restore()
        assert (await client.get("/api/v1/employees", headers=headers)).status_code == 200
    await db.dispose()


async def test_a_blackholed_database_answers_503_within_the_deadlines(seeded: str, pg_proxy: TcpProxy) -> None:
    settings = _settings(api_request_timeout_seconds=10)
    direct = Database.from_url(seeded)
    headers = await _token(direct, settings)
    await direct.dispose()
    db = Database.from_url(pg_proxy.url_for(seeded), timeouts=FAST)
    app = create_app(settings, db, create_redis(""), report_cache_seconds=0)
    async with _client(app) as client:
        assert (await client.get("/api/v1/employees", headers=headers)).status_code == 200
        pg_proxy.blackhole()  # the pooled connection goes mute, new ones are never answered
        started = time.monotonic()
        _assert_unavailable(await client.get("/api/v1/employees", headers=headers))
        assert time.monotonic() - started < 6  # statement (1 s) + slack (2 s), or connect (1 s), not minutes
        pg_proxy.restore()
        assert (await client.get("/api/v1/employees", headers=headers)).status_code == 200
    await db.dispose()


async def test_a_request_over_its_budget_is_given_up_with_a_503(seeded: str, pg_proxy: TcpProxy) -> None:
    settings = _settings(api_request_timeout_seconds=1.5)
    direct = Database.from_url(seeded)
    headers = await _token(direct, settings)
    await direct.dispose()
    slow = DbTimeouts(connect=30, pool=30, statement=30)  # the database would make it wait far longer
    db = Database.from_url(pg_proxy.url_for(seeded), timeouts=slow)
    app = create_app(settings, db, create_redis(""), report_cache_seconds=0)
    async with _client(app) as client:
        assert (await client.get("/api/v1/employees", headers=headers)).status_code == 200
        pg_proxy.blackhole()
        started = time.monotonic()
        response = await client.get("/api/v1/employees", headers=headers)
        elapsed = time.monotonic() - started
        _assert_unavailable(response)
        assert 1.4 < elapsed < 4
        pg_proxy.restore()
        assert (await client.get("/api/v1/employees", headers=headers)).status_code == 200
    await db.dispose()


async def test_dropped_database_connections_are_replaced_without_an_error(seeded: str, pg_proxy: TcpProxy) -> None:
    settings = _settings()
    direct = Database.from_url(seeded)
    headers = await _token(direct, settings)
    await direct.dispose()
    db = Database.from_url(pg_proxy.url_for(seeded), timeouts=FAST)
    app = create_app(settings, db, create_redis(""), report_cache_seconds=0)
    async with _client(app) as client:
        for _ in range(3):
            assert (await client.get("/api/v1/employees", headers=headers)).status_code == 200
            pg_proxy.drop()  # as if PostgreSQL restarted between two requests
    await db.dispose()


async def test_the_api_keeps_serving_without_redis_and_readiness_names_it(
    seeded: str, redis_server: RedisServer
) -> None:
    settings = _settings(redis_url=redis_server.url)
    db = Database.from_url(seeded)
    headers = await _token(db, settings)
    redis = Redis.from_url(redis_server.url, decode_responses=True, socket_timeout=1, socket_connect_timeout=1)
    app = create_app(settings, db, redis, report_cache_seconds=60)
    async with _client(app) as client:
        assert (await client.get("/health/ready")).status_code == 200
        redis_server.stop()
        assert (await client.get("/api/v1/employees", headers=headers)).status_code == 200
        digest = await client.get("/api/v1/reports/exceptions", params={"date": "2026-11-20"}, headers=headers)
        assert digest.status_code == 200, digest.text
        ready = await client.get("/health/ready")
        assert ready.status_code == 503 and [d["field"] for d in ready.json()["error"]["details"]] == ["redis"]
    await db.dispose()
    await redis.aclose()


async def test_a_hung_redis_does_not_slow_the_digest_down(seeded: str, redis_server: RedisServer) -> None:
    settings = _settings(redis_url=redis_server.url)
    db = Database.from_url(seeded)
    headers = await _token(db, settings)
    redis = Redis.from_url(redis_server.url, decode_responses=True, socket_timeout=5, socket_connect_timeout=1)
    app = create_app(settings, db, redis, report_cache_seconds=60)
    params = {"date": "2026-11-20"}
    async with _client(app) as client:
        assert (await client.get("/api/v1/reports/exceptions", params=params, headers=headers)).status_code == 200
        redis_server.freeze()
        try:
            timings = []
            for day in ("2026-11-19", "2026-11-18", "2026-11-17"):
                started = time.monotonic()
                response = await client.get("/api/v1/reports/exceptions", params={"date": day}, headers=headers)
                timings.append(time.monotonic() - started)
                assert response.status_code == 200, response.text
        finally:
            redis_server.thaw()
    assert timings[0] < 2 and max(timings[1:]) < 1, timings  # one short wait, then the cache is left alone
    await db.dispose()
    await redis.aclose()


async def test_a_statement_cancelled_by_its_timeout_is_a_503(seeded: str) -> None:
    from sqlalchemy import text

    settings = _settings()
    db = Database.from_url(seeded, timeouts=DbTimeouts(statement=0.5))
    headers = await _token(db, settings)
    app = create_app(settings, db, create_redis(""), report_cache_seconds=0)
    blocker = Database.from_url(seeded)
    try:
        async with blocker.transaction() as session, _client(app) as client:
            await session.execute(text("LOCK TABLE employees IN ACCESS EXCLUSIVE MODE"))  # a long migration, say
            started = time.monotonic()
            _assert_unavailable(await client.get("/api/v1/employees", headers=headers))
            assert time.monotonic() - started < 3
    finally:
        await blocker.dispose()
        await db.dispose()
