"""Scheduler fixtures: clients as ``scheduler.main`` builds them, on the test database and the real Redis."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scheduler.runner import Clients, JobRunner
from shared.config import Settings
from shared.persistence import Database
from tests.integration.scheduler.support import Clock, make_settings

FRIDAY_9AM = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


@pytest.fixture
def clock() -> Clock:
    return Clock(FRIDAY_9AM)


@pytest.fixture
def settings(db_url: str, redis_prefix: str) -> Settings:
    return make_settings(db_url, redis_prefix)


@pytest.fixture
def clients(db: Database, real_redis, settings: Settings, clock: Clock) -> Clients:
    return Clients(db=db, redis=real_redis, settings=settings, clock=clock)


@pytest.fixture
def runner(clients: Clients) -> JobRunner:
    return JobRunner(clients)
