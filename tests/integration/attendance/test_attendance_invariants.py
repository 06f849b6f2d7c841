"""Invariants of daily attendance under any order of events (hypothesis, on SQLite and PostgreSQL).

Random facts about last week — punches, holidays, shift assignments, hire and leaving dates, approved
leave — are applied through the real use cases in a random order, with processing runs (the nightly job)
at random points in between. Afterwards:

- every stored row is up to date as soon as the change that concerns it is committed (a full re-process
  gives the same row): changes reach past days at once, not at the next nightly run;
- the daily rows are the same whatever the order the facts arrived in and whenever processing ran;
- processing once more changes nothing (re-processing is idempotent);
- there is no row, absent or otherwise, before a hire date or after a leaving date.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from shared.domain.enums import Accrual, Direction, PunchSource
from shared.model import DailyAttendance, LeaveType
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.attendance.punches import record_punch
from shared.services.leave.requests import request_leave
from shared.services.org.people import update_employee
from shared.services.org.schedules import create_holiday
from tests.conftest import _wipe
from tests.factories import Company, make_company

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime.now(UTC)
TODAY = NOW.astimezone(BERLIN).date()
WEEK_START = TODAY - timedelta(days=TODAY.weekday() + 7)  # last week's Monday: every day is over
DAYS = [WEEK_START + timedelta(days=i) for i in range(7)]
PEOPLE = 4  # hr, manager, alice, bob (make_company order)
ADMIN = Actor.cli()  # HR's part: recording facts about anyone, the leavers included


@dataclass(frozen=True)
class Punch:
    who: int
    day: int
    minute: int
    direction: Direction


@dataclass(frozen=True)
class Holiday:
    day: int


@dataclass(frozen=True)
class ShiftOf:
    who: int
    shift: str | None  # "day", "night" or None


@dataclass(frozen=True)
class Employment:
    who: int
    hire: int | None  # day index (may be before the week)
    leaving: int | None


@dataclass(frozen=True)
class Leave:
    who: int
    start: int
    length: int


@dataclass(frozen=True)
class Run:
    first: int
    last: int


punches = st.builds(
    Punch,
    who=st.integers(0, PEOPLE - 1),
    day=st.integers(0, 7),
    minute=st.integers(0, 1439 // 7).map(lambda m: m * 7),
    direction=st.sampled_from([Direction.IN, Direction.OUT]),
)
shifts = st.builds(ShiftOf, who=st.integers(0, PEOPLE - 1), shift=st.sampled_from(["day", "night", None]))
employments = st.builds(
    Employment,
    who=st.integers(0, PEOPLE - 1),
    hire=st.none() | st.integers(-3, 3),
    leaving=st.none() | st.integers(4, 8),
)
leaves = st.builds(Leave, who=st.integers(0, PEOPLE - 1), start=st.integers(0, 3), length=st.integers(0, 1))
runs = st.builds(Run, first=st.integers(0, 6), last=st.integers(0, 6)).filter(lambda r: r.first <= r.last)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Any], list[Any]]:
    """A set of facts (one shift and one employment per person at most, leave that does not overlap, punches
    at least 7 minutes apart) in two random orders, each with processing runs sprinkled in."""
    facts: list[Any] = draw(st.lists(punches, max_size=14, unique_by=lambda p: (p.who, p.day, p.minute)))
    facts += [Holiday(d) for d in draw(st.sets(st.integers(4, 6), max_size=2))]  # never all of a leave's days
    facts += draw(st.lists(shifts, max_size=3, unique_by=lambda s: s.who))
    facts += draw(st.lists(employments, max_size=2, unique_by=lambda e: e.who))
    facts += draw(st.lists(leaves, max_size=2, unique_by=lambda leave: leave.who))
    orders = []
    for _ in range(2):
        order = list(draw(st.permutations(facts)))
        for run in draw(st.lists(runs, max_size=3)):
            order.insert(draw(st.integers(0, len(order))), run)
        orders.append(order)
    return orders[0], orders[1]


async def _apply(db: Database, company: Company, absence_type: int, event: Any) -> None:
    people = [company.hr_id, company.manager_id, company.alice_id, company.bob_id]
    async with db.transaction() as s:
        if isinstance(event, Punch):
            day = WEEK_START + timedelta(days=event.day)
            instant = datetime.combine(day, time(0), BERLIN) + timedelta(minutes=event.minute)
            if instant < NOW:
                await record_punch(
                    s, actor=ADMIN, employee_id=people[event.who], direction=event.direction, instant=instant,
                    source=PunchSource.MANUAL, now=NOW, company_timezone="Europe/Berlin", note="test",
                )  # fmt: skip
        elif isinstance(event, Holiday):
            await create_holiday(
                s, actor=ADMIN, calendar_id=company.calendar_id,
                values={"date": DAYS[event.day], "name": "Holiday"},
            )  # fmt: skip
        elif isinstance(event, ShiftOf):
            shift = {"day": company.day_shift_id, "night": company.night_shift_id, None: None}[event.shift]
            await update_employee(s, actor=ADMIN, employee_id=people[event.who], values={"shift_id": shift})
        elif isinstance(event, Employment):
            values = {
                "hire_date": None if event.hire is None else WEEK_START + timedelta(days=event.hire),
                "leaving_date": None if event.leaving is None else WEEK_START + timedelta(days=event.leaving),
            }
            await update_employee(s, actor=ADMIN, employee_id=people[event.who], values=values)
        elif isinstance(event, Leave):
            start = DAYS[event.start]
            await request_leave(
                s, actor=ADMIN, employee_id=people[event.who], leave_type_id=absence_type, start=start,
                end=start + timedelta(days=event.length), today=TODAY, now=NOW,
            )  # fmt: skip
        elif isinstance(event, Run):
            await process_days(
                s, date_from=DAYS[event.first], date_to=DAYS[event.last], now=NOW, company_timezone="Europe/Berlin"
            )


async def _rows(db: Database) -> dict[tuple[int, date], tuple[Any, ...]]:
    skip = {"id", "processed_at", "leave_request_id"}  # request ids follow the order they were made in
    async with db.session() as s:
        found = await s.scalars(select(DailyAttendance).where(DailyAttendance.date.between(DAYS[0], DAYS[-1])))
        return {
            (r.employee_id, r.date): tuple(
                getattr(r, c.key) for c in DailyAttendance.__table__.columns if c.key not in skip
            )
            for r in found
        }


async def _play(url: str, events: list[Any]) -> tuple[dict, dict, dict, dict[int, tuple[date | None, date | None]]]:
    db = Database.from_url(url)
    try:
        await _wipe(db)
        company = await make_company(db, holidays=())
        async with db.transaction() as s:
            absence = LeaveType(
                code="ABS", name="Absence", accrual=Accrual.YEARLY, approval_required=False, negative_allowed=True,
                backdate_days=60,
            )  # fmt: skip
            s.add(absence)
            await s.flush()
            absence_id = absence.id
        for event in events:
            await _apply(db, company, absence_id, event)
        live = await _rows(db)
        await _apply(db, company, absence_id, Run(0, 6))
        first = await _rows(db)
        await _apply(db, company, absence_id, Run(0, 6))
        again = await _rows(db)
        async with db.session() as s:
            from shared.model import Employee

            bounds = {e.id: (e.hire_date, e.leaving_date) for e in await s.scalars(select(Employee))}
        return live, first, again, bounds
    finally:
        await db.dispose()


@settings(
    max_examples=20,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # each example replays two databases: no slow shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_daily_rows_depend_only_on_the_facts_not_on_their_order_or_on_when_processing_ran(
    db_url: str, scenario: tuple[list[Any], list[Any]]
) -> None:
    one, other = scenario
    live, rows_one, again, bounds = asyncio.run(_play(db_url, one))
    _, rows_other, _, _ = asyncio.run(_play(db_url, other))
    assert {k: v for k, v in rows_one.items() if k in live} == live  # no stored row was stale
    assert rows_one == rows_other
    assert again == rows_one  # processing again changes nothing
    for (employee_id, day), _row in rows_one.items():
        hired, leaving = bounds[employee_id]
        assert hired is None or day >= hired
        assert leaving is None or day <= leaving
