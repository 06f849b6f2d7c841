"""Invariants of balances under any sequence of leave events (hypothesis, on SQLite and PostgreSQL).

Random requests (this year, next year, across New Year, backdated), approvals, rejections, cancellations
and HR corrections go through the real use cases on 3 December; whatever the rules refuse is refused.
After every event:

- the ledger agrees with the requests: an approved request has taken exactly its working days, a
  cancelled one has given them back, a pending or rejected one has no entry;
- a type that does not allow a negative balance is never negative: not today, not on any later day of
  this year, and not in what next year is projected to hold.

At the end, with the pending requests rejected, the New Year jobs (carry-over, allocation) produce for
next year exactly the balance that was projected for it in December.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from shared.domain.enums import LeaveStatus, LedgerKind
from shared.domain.leave_year import year_balance
from shared.domain.ledger import balance
from shared.errors import ChronosError
from shared.model import Employee, LeaveLedgerEntry, LeaveRequest, LeaveType
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.balances import adjust_balance, allocate_year, carry_over
from shared.services.leave.context import ledger_postings, policy_of, posting_of
from shared.services.leave.decisions import decide_leave
from shared.services.leave.requests import cancel_leave, request_leave
from tests.conftest import _wipe
from tests.factories import make_company

TODAY = date(2026, 12, 3)
NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)
ADMIN = Actor.cli()


@dataclass(frozen=True)
class Ask:
    who: int
    kind: int  # 0 annual (never negative, carry-over cap 5), 1 sick (may go negative)
    start: int  # days from today
    length: int


@dataclass(frozen=True)
class Decide:
    which: int
    approve: bool


@dataclass(frozen=True)
class Cancel:
    which: int


@dataclass(frozen=True)
class Correct:
    who: int
    kind: int
    delta: int


asks = st.builds(Ask, who=st.integers(0, 1), kind=st.integers(0, 1), start=st.integers(-3, 60),
                 length=st.integers(0, 12))  # fmt: skip
decisions = st.builds(Decide, which=st.integers(0, 3), approve=st.booleans() | st.just(True))
events = st.lists(
    st.one_of(
        asks,
        asks,
        decisions,
        decisions,
        st.builds(Cancel, which=st.integers(0, 3)),
        st.builds(Correct, who=st.integers(0, 1), kind=st.integers(0, 1), delta=st.integers(-12, 4).filter(bool)),
    ),
    min_size=6,
    max_size=18,
)


async def _apply(db: Database, event: Any, people: list[int], types: list[int], made: list[int]) -> None:
    try:
        async with db.transaction() as s:
            if isinstance(event, Ask):
                start = TODAY + timedelta(days=event.start)
                request = await request_leave(
                    s, actor=ADMIN, employee_id=people[event.who], leave_type_id=types[event.kind], start=start,
                    end=start + timedelta(days=event.length), today=TODAY, now=NOW,
                )  # fmt: skip
                made.append(request.id)
            elif isinstance(event, Decide) and event.which < len(made):
                await decide_leave(
                    s, actor=ADMIN, request_id=made[event.which], approve=event.approve,
                    comment=None if event.approve else "no", today=TODAY, now=NOW,
                )  # fmt: skip
            elif isinstance(event, Cancel) and event.which < len(made):
                await cancel_leave(s, actor=ADMIN, request_id=made[event.which], today=TODAY, now=NOW)
            elif isinstance(event, Correct):
                await adjust_balance(
                    s, actor=ADMIN, employee_id=people[event.who], leave_type_id=types[event.kind],
                    delta=Decimal(event.delta), note="correction", on=TODAY,
                )  # fmt: skip
    except ChronosError:
        pass  # a rule said no: nothing may have been written (checked by the invariants)


async def _check(db: Database, types: dict[int, LeaveType]) -> None:
    async with db.session() as s:
        requests = list(await s.scalars(select(LeaveRequest)))
        entries = list(await s.scalars(select(LeaveLedgerEntry)))
    for request in requests:
        taken = [e for e in entries if e.request_id == request.id]
        net = sum((e.delta for e in taken), Decimal(0))
        took = -sum((e.delta for e in taken if e.kind is LedgerKind.TAKEN), Decimal(0))
        if request.status is LeaveStatus.APPROVED:
            assert net == -request.working_days and took == request.working_days
        elif request.status is LeaveStatus.CANCELLED:
            assert net == 0 and took in (0, request.working_days)
        else:
            assert taken == [], (request.status, taken)
    year_end = date(TODAY.year, 12, 31)
    for employee_id, type_id in {(e.employee_id, e.leave_type_id) for e in entries}:
        if types[type_id].negative_allowed:
            continue
        own = [posting_of(e) for e in entries if (e.employee_id, e.leave_type_id) == (employee_id, type_id)]
        for day in {TODAY, year_end, *(e.effective_date for e in own if e.effective_date <= year_end)}:
            assert balance(own, day) >= 0, (employee_id, types[type_id].code, day)
        ahead = year_balance(own, policy_of(types[type_id]), employee_id, TODAY.year + 1, today=TODAY,
                             part_start=date(TODAY.year + 1, 1, 1), part_end=date(TODAY.year + 1, 12, 31))  # fmt: skip
        assert ahead >= 0, (employee_id, types[type_id].code, "next year")


async def _play(url: str, sequence: list[Any]) -> None:
    db = Database.from_url(url)
    try:
        await _wipe(db)
        company = await make_company(db)
        async with db.transaction() as s:
            annual = await s.get(LeaveType, company.annual_id)
            annual.carry_over_cap, annual.backdate_days = Decimal(5), 5
            sick = await s.get(LeaveType, company.sick_id)
            sick.negative_allowed, sick.attachment_required, sick.backdate_days = True, False, 5
            await allocate_year(s, year=2026, actor=Actor.system("test"))
            types = {t.id: t for t in await s.scalars(select(LeaveType))}
        people, kinds, made = [company.alice_id, company.bob_id], [company.annual_id, company.sick_id], []
        for event in sequence:
            await _apply(db, event, people, kinds, made)
            await _check(db, types)
        await _new_year_matches_the_projection(db, people, kinds)
    finally:
        await db.dispose()


async def _new_year_matches_the_projection(db: Database, people: list[int], kinds: list[int]) -> None:
    async with db.transaction() as s:
        for request in await s.scalars(select(LeaveRequest).where(LeaveRequest.status == LeaveStatus.PENDING)):
            await decide_leave(s, actor=ADMIN, request_id=request.id, approve=False, comment="year end", today=TODAY,
                               now=NOW)  # fmt: skip
    projected: dict[tuple[int, int], Decimal] = {}
    async with db.session() as s:
        for employee_id in people:
            hired = (await s.get(Employee, employee_id)).hire_date
            for type_id in kinds:
                policy = policy_of(await s.get(LeaveType, type_id))
                entries = await ledger_postings(s, employee_id, type_id)
                projected[employee_id, type_id] = year_balance(
                    entries, policy, employee_id, 2027, today=TODAY, part_start=date(2027, 1, 1),
                    part_end=date(2027, 12, 31), hire_date=hired,
                )  # fmt: skip
    async with db.transaction() as s:
        await carry_over(s, into_year=2027, actor=Actor.system("test"))
        await allocate_year(s, year=2027, actor=Actor.system("test"))
    async with db.session() as s:
        for (employee_id, type_id), expected in projected.items():
            entries = await ledger_postings(s, employee_id, type_id)
            assert balance(entries, date(2027, 12, 31)) == expected, (employee_id, type_id)


@settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=events)
@example(sequence=[Ask(0, 0, 5, 12), Correct(0, 0, -12), Decide(0, True)])  # a correction between ask and approve
@example(sequence=[Ask(0, 0, 24, 10), Decide(0, True), Ask(0, 0, 40, 20), Decide(1, True), Cancel(0)])  # New Year
@example(sequence=[Ask(1, 1, -3, 8), Decide(0, True), Correct(1, 1, -12), Ask(1, 1, 30, 4), Decide(1, True)])
def test_the_ledger_follows_the_requests_and_never_overdraws_and_next_year_is_as_projected(
    db_url: str, sequence: list[Any]
) -> None:
    asyncio.run(_play(db_url, sequence))
