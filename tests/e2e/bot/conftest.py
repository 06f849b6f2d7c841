"""The real `chronos bot` against the Telegram emulator, on SQLite and PostgreSQL, with the real Redis.

One emulator for the package. One bot process per backend for the whole package (its own database, its
own token, its own Redis prefix); every test starts from a clean slate: emulator reset, tables wiped,
the Redis keys of that prefix deleted, the company seeded again. Tests that need their own processes
(restart, webhook, failure storm) build a :class:`Deployment` of their own with ``make_deployment``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from sandbox.telegram import EmulatorClient, EmulatorConfig, EmulatorThread
from shared.domain.enums import OutboxStatus
from shared.model import OutboxMessage
from shared.persistence import Database
from shared.persistence.migrate import upgrade_async
from shared.persistence.scratch import create_database, drop_database
from shared.services.actor import Actor
from shared.services.attendance.processing import today_in
from shared.services.leave.balances import allocate_year
from tests.conftest import RUN_ID, TEST_DATABASE_URL, TEST_REDIS_URL, _wipe
from tests.e2e.bot.harness import (
    COMPANY_TZ,
    PEOPLE,
    Deployment,
    Harness,
    delete_redis_keys,
    register_token,
    reset_emulator,
)
from tests.factories import make_company

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="package")
def emulator() -> Iterator[EmulatorThread]:
    config = EmulatorConfig(webhook_retry_delays=(0.02, 0.05, 0.1))
    with EmulatorThread(port=0, config=config) as server:
        yield server


@pytest.fixture(scope="package")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bot-logs")


def run_sync(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to completion from sync code, even when the caller's thread has a running loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class Databases:
    """Creates migrated databases of the bot tests' own (dropped at the end)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.pg_names: list[str] = []

    def postgres(self) -> str:
        name = f"chronos_bot_{RUN_ID}_{uuid.uuid4().hex[:6]}"
        url = run_sync(create_database(TEST_DATABASE_URL, name))
        self.pg_names.append(name)
        run_sync(upgrade_async(url))
        return url

    def sqlite(self) -> str:
        url = f"sqlite+aiosqlite:///{self.tmp / f'bot-{uuid.uuid4().hex[:6]}.db'}"
        run_sync(upgrade_async(url))
        return url

    def url(self, backend: str) -> str:
        return self.postgres() if backend == "postgres" else self.sqlite()

    def drop_all(self) -> None:
        for name in self.pg_names:
            run_sync(drop_database(TEST_DATABASE_URL, name))


@pytest.fixture(scope="package")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    made = Databases(tmp_path_factory.mktemp("bot-db"))
    try:
        yield made
    finally:
        made.drop_all()


MakeDeployment = Callable[..., Deployment]


@pytest.fixture(scope="package")
def make_deployment(emulator: EmulatorThread, databases: Databases, log_dir: Path) -> Iterator[MakeDeployment]:
    """Factory: a fresh database + token + Redis prefix for a bot of a test's own; all cleaned up at the end."""
    made: list[Deployment] = []
    counter = iter(range(100, 1000))

    def make(name: str, backend: str = "postgres", **extra: str) -> Deployment:
        number = next(counter)
        token = f"7100000{number}:AAH-e2e-{name}-{RUN_ID}"
        register_token(emulator, token, f"chronos_{name}_{number}_bot")
        deployment = Deployment(
            name=f"{name}-{backend}", db_url=databases.url(backend), redis_url=TEST_REDIS_URL,
            prefix=f"chronos-test:{RUN_ID}:{name}-{backend}", token=token, emulator=emulator, log_dir=log_dir,
            extra=extra,
        )  # fmt: skip
        made.append(deployment)
        return deployment

    try:
        yield make
    finally:
        for deployment in made:
            deployment.stop_all()
            delete_redis_keys(TEST_REDIS_URL, deployment.prefix)


@pytest.fixture(scope="package", params=["sqlite", "postgres"])
def shared_bot(request: pytest.FixtureRequest, make_deployment: MakeDeployment) -> Iterator[Deployment]:
    """The bot most tests talk to: one process per backend for the whole package."""
    deployment = make_deployment("main", request.param)
    deployment.process().start()
    yield deployment
    deployment.stop_all()


async def seed(deployment: Deployment) -> tuple[Database, Harness]:
    database = Database.from_url(deployment.db_url)
    await _wipe(database)
    company = await make_company(database)
    today = today_in(COMPANY_TZ)
    async with database.transaction() as session:
        for year in (today.year, today.year + 1):
            await allocate_year(session, year=year, actor=Actor.system("e2e"))
    control = EmulatorClient(deployment.emulator.url, bot=deployment.token, timeout=15.0)
    for user_id, (name, language) in PEOPLE.items():
        await control.ensure_user(user_id, name, language_code=language)
    return database, Harness(control, database, company, deployment, today)


@pytest.fixture
async def h(shared_bot: Deployment) -> AsyncIterator[Harness]:
    """A clean slate on the shared bot: emulator reset, tables wiped, Redis keys gone, company seeded."""
    reset_emulator(shared_bot.emulator)
    delete_redis_keys(TEST_REDIS_URL, shared_bot.prefix)
    database, harness = await seed(shared_bot)
    try:
        yield harness
        await settle(database)
    finally:
        await harness.control.aclose()
        await database.dispose()


async def settle(database: Database, timeout: float = 10.0) -> None:
    """Wait until the bot's sender has delivered what this test queued, so nothing of it lands in the
    next test's chats (ids start again at 1 after the wipe)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        async with database.session() as session:
            waiting = await session.scalar(
                select(func.count(OutboxMessage.id)).where(OutboxMessage.status == OutboxStatus.PENDING)
            )
        if not waiting:
            return
        await asyncio.sleep(0.05)


def next_monday(today: date, weeks: int = 1) -> date:
    from datetime import timedelta

    return today + timedelta(days=(7 - today.weekday()) + 7 * (weeks - 1))
