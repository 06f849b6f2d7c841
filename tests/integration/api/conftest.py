"""Fixtures for the REST API tests: an app over the per-test database, a token per role, an HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from api.main import create_app
from shared.config import Settings
from shared.domain.enums import Role
from shared.model import Base, Employee
from shared.persistence import Database
from shared.redis_client import create_redis
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year
from shared.services.org.tokens import create_token
from tests.conftest import _wipe
from tests.factories import Company, make_company

ROLES = ("admin", "hr", "manager", "readonly")


@dataclass
class Clock:
    """The app's clock; tests move it to cross expiry dates."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


async def quick_wipe(database: Database) -> None:
    """Empty every table, faster than the shared ``TRUNCATE … RESTART IDENTITY`` on PostgreSQL (which takes
    ~0.2 s even on empty tables): one transaction of DELETEs, children first, then every id sequence reset."""
    if database.dialect != "postgresql":
        await _wipe(database)
        return
    statements = [f"DELETE FROM {t.name}" for t in reversed(Base.metadata.sorted_tables)]
    async with database.engine.begin() as conn:
        sequences = (
            await conn.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"))
        ).scalars()
        statements += [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
        await conn.exec_driver_sql("DO $$ BEGIN " + "; ".join(statements) + "; END $$")


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """The shared ``db`` fixture (a migrated, empty database per test), with the quicker wipe."""
    database = Database.from_url(db_url)
    await quick_wipe(database)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
def settings() -> Settings:
    # A generous request budget: on a loaded CI machine SQLite may queue a write for seconds; the budget
    # itself is tested with small values in tests/faults.
    return Settings(
        _env_file=None, api_secret_key="api-test-secret", cors_origins="http://hr.example.com",
        api_request_timeout_seconds=120,
    )  # fmt: skip


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def redis():
    return create_redis("")


class KeptFiles:
    """Telegram's file store as the API sees it: every file id names this one PDF (the download itself is
    tested against the Telegram emulator in tests/e2e/telegram_emulator/test_chronos_files.py)."""

    content = b"%PDF-1.4 sick note"

    async def download(self, file_id: str) -> tuple[bytes, str]:
        return self.content, f"{file_id}.pdf"

    async def close(self) -> None:
        return None


@pytest.fixture
def app(db: Database, settings: Settings, redis, clock: Clock) -> FastAPI:
    return create_app(
        settings, db, redis, clock=clock, metrics_cache_seconds=0, report_cache_seconds=0, files=KeptFiles()
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
        yield c


@pytest.fixture
async def boss(db: Database) -> Employee:
    """The employee a manager token is bound to."""
    async with db.transaction() as s:
        employee = Employee(code="BOSS", full_name="Bea Boss", role=Role.MANAGER)
        s.add(employee)
        await s.flush()
        return employee


@pytest.fixture
async def tokens(db: Database, settings: Settings, boss: Employee) -> dict[str, str]:
    """A live token per role (the manager's bound to ``boss``): role → plaintext."""
    found = {}
    async with db.transaction() as s:
        for role in ROLES:
            _row, plaintext = await create_token(
                s,
                name=f"test-{role}",
                role=role,
                pepper=settings.secret_key,
                actor=Actor.cli(),
                employee_id=boss.id if role == "manager" else None,
            )
            found[role] = plaintext
    return found


@pytest.fixture
def headers(tokens: dict[str, str]) -> dict[str, dict[str, str]]:
    """role → request headers carrying that role's token."""
    return {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}


@pytest.fixture
def admin(headers: dict[str, dict[str, str]]) -> dict[str, str]:
    return headers["admin"]


# ---------------------------------------------------------------- a company with leave and attendance

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Monday 10:30 in Berlin


@pytest.fixture
async def company(db: Database, clock: Clock) -> Company:
    """``tests.factories.make_company`` with 2026's allowances posted; the app's clock on Monday 2026-11-23."""
    clock.now = NOW
    made = await make_company(db)
    async with db.transaction() as s:
        await allocate_year(s, year=2026, actor=Actor.system("test"))
    return made


@pytest.fixture
async def staff(db: Database, settings: Settings, company: Company) -> dict[str, dict[str, str]]:
    """role → headers of a token of that role; the manager token is bound to the company's manager (Max),
    to whom Alice and Bob report (and who reports to HR)."""
    found = {}
    async with db.transaction() as s:
        for role in ROLES:
            _row, plaintext = await create_token(
                s,
                name=f"staff-{role}",
                role=role,
                pepper=settings.secret_key,
                actor=Actor.cli(),
                employee_id=company.manager_id if role == "manager" else None,
            )
            found[role] = {"Authorization": f"Bearer {plaintext}"}
    return found
