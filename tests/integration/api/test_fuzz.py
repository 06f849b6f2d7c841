"""Schemathesis over the OpenAPI document, as an admin: no generated input may get a 5xx answer.

Every operation gets positive (schema-conforming) and negative (schema-violating) cases — negative ones
include requests without the token, which must be 401s — bounded to
``MAX_EXAMPLES`` each, derandomized (the same cases every run), no shrinking. SQLite only: the point is
the API's input handling, which is the same on both backends. The app runs in-process on schemathesis'
ASGI transport (one event loop thread for every request, so the engine's pool stays on one loop).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.python import asgi
from sqlalchemy import update

from api.main import create_app
from shared.config import Settings
from shared.domain.enums import Direction, PunchSource, Role
from shared.model import (
    ApiToken,
    Department,
    Device,
    Employee,
    Holiday,
    HolidayCalendar,
    LeaveRequest,
    LeaveType,
    Office,
    Punch,
    Shift,
)
from shared.persistence import Database
from shared.persistence.migrate import upgrade_async
from shared.redis_client import create_redis
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.leave.balances import allocate_year
from shared.services.org.tokens import create_token

MAX_EXAMPLES = 12
SECRET = "fuzz-secret"


async def _seed(url: str) -> str:
    """A few rows with small ids (generated ids hit them now and then) and the admin token: the org, a
    leave request, ledger entries, punches (one of an unknown badge) and a processed day."""
    database = Database.from_url(url)
    try:
        async with database.transaction() as s:
            dept = Department(name="Ops")
            calendar = HolidayCalendar(name="Company", country="DE")
            shift = Shift(name="Day", start_time=time(9), end_time=time(18))
            annual = LeaveType(code="annual", name="Annual", yearly_allowance=20)
            device = Device(name="Front", host="10.0.0.1")
            s.add_all([dept, calendar, Office(name="HQ"), shift, annual, device])
            await s.flush()
            boss = Employee(code="E1", full_name="Ana", role=Role.MANAGER, department_id=dept.id, shift_id=shift.id)
            s.add(boss)
            s.add(Holiday(calendar_id=calendar.id, date=date(2026, 1, 1), name="New Year"))
            await s.flush()
            worker = Employee(code="E2", full_name="Ben", manager_id=boss.id, department_id=dept.id, shift_id=shift.id)
            s.add(worker)
            await s.flush()
            s.add_all(
                [
                    LeaveRequest(employee_id=worker.id, leave_type_id=annual.id, start_date=date(2026, 12, 1),
                                 end_date=date(2026, 12, 2), working_days=2, approver_id=boss.id),
                    Punch(employee_id=worker.id, source=PunchSource.DEVICE, device_id=device.id, device_user_id="2",
                          instant=datetime(2026, 11, 20, 8, tzinfo=UTC), direction=Direction.IN),
                    Punch(employee_id=None, source=PunchSource.DEVICE, device_id=device.id, device_user_id="99",
                          instant=datetime(2026, 11, 20, 9, tzinfo=UTC)),
                ]
            )  # fmt: skip
            await allocate_year(s, year=2026, actor=Actor.cli())
            await process_days(
                s,
                date_from=date(2026, 11, 16),
                date_to=date(2026, 11, 20),
                now=datetime.now(UTC),
                company_timezone="UTC",
            )
            row, plaintext = await create_token(s, name="fuzz", role="admin", pepper=SECRET, actor=Actor.cli())
            # Far from the small ids the fuzzer favours, so `POST /tokens/{id}/revoke` does not revoke it.
            await s.execute(update(ApiToken).where(ApiToken.id == row.id).values(id=1_987_654_321))
            return plaintext
    finally:
        await database.dispose()


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, str]]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    url = f"sqlite+aiosqlite:///{path}"
    asyncio.run(upgrade_async(url))
    token = asyncio.run(_seed(url))
    app = create_app(Settings(_env_file=None, api_secret_key=SECRET), Database.from_url(url), create_redis(""))
    yield app, token
    asgi.shutdown_lifespans()  # runs the app's lifespan exit: disposes the engine on its own loop


def test_no_generated_input_gets_a_server_error(fuzz_target):
    app, token = fuzz_target
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    auth = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=MAX_EXAMPLES,
            phases=[Phase.explicit, Phase.generate],
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def call(case: schemathesis.Case) -> None:
            response = case.call(headers=auth)
            statuses[response.status_code] += 1
            sent = response.request.headers.get("Authorization")
            if response.status_code == 401 and sent == auth["Authorization"]:
                failures.append(f"401 with the admin token: {case.operation.label}")
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {case.as_curl_command(headers=auth)}\n  {response.text[:300]}")

        call()
    assert operations >= 57
    print(f"{operations} operations, answers by status: {dict(sorted(statuses.items()))}")
    assert sum(n for code, n in statuses.items() if code < 300) > operations, "too few cases got past validation"
    assert not failures, "\n".join(failures[:20])
