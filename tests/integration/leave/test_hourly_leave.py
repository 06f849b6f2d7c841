"""Hourly leave through the services: inside the shift, minimum and step, hours on the ledger, and the
attendance of that day excusing the booked range."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from shared.domain.enums import Accrual, AttendanceStatus, Direction, HalfDay, LeaveStatus, LedgerKind, PunchSource
from shared.domain.hourly import LeaveUnit
from shared.domain.leave import RuleViolated
from shared.model import DailyAttendance, LeaveLedgerEntry, LeaveType, OutboxMessage, Punch
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.leave.balances import allocate_year, balances
from shared.services.leave.context import on_leave_ids
from shared.services.leave.decisions import decide_leave
from shared.services.leave.requests import cancel_leave, quote_leave, request_leave
from shared.services.notify.team import team_today
from tests.factories import Company, make_company

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 23)  # a Monday
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
FRIDAY = date(2026, 11, 20)
TUESDAY = date(2026, 12, 1)


@pytest.fixture
async def company(db: Database) -> tuple[Company, int]:
    company = await make_company(db)
    async with db.transaction() as s:
        permission = LeaveType(
            code="PERM", name="Permission", unit=LeaveUnit.HOURS, yearly_allowance=Decimal(8), accrual=Accrual.YEARLY,
            min_minutes=30, step_minutes=30, backdate_days=5,
        )  # fmt: skip
        s.add(permission)
        await s.flush()
        await allocate_year(s, year=2026, actor=Actor.system("test"))
        return company, permission.id


async def _ask(db: Database, company: Company, type_id: int, day: date, start: time, end: time, **kw):
    async with db.transaction() as s:
        return await request_leave(
            s, actor=company.alice, employee_id=company.alice_id, leave_type_id=type_id, start=day, end=day,
            start_time=start, end_time=end, today=TODAY, now=NOW, **kw,
        )  # fmt: skip


async def _hours_left(db: Database, company: Company, type_id: int) -> Decimal:
    async with db.session() as s:
        lines = await balances(s, employee_id=company.alice_id, as_of=TODAY)
    return next(line.available for line in lines if line.leave_type_id == type_id)


async def test_two_hours_inside_the_shift_are_booked_and_the_approver_sees_the_range(db, company):
    company, perm = company
    request = await _ask(db, company, perm, TUESDAY, time(10), time(12))
    assert (request.minutes, request.working_days, request.status) == (120, Decimal(2), LeaveStatus.PENDING)
    assert request.start_at == datetime(2026, 12, 1, 10, tzinfo=BERLIN)
    async with db.session() as s:
        (message,) = list(await s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 9002)))
    assert "10:00" in message.payload["text"] and "2 hours" in message.payload["text"]
    assert await _hours_left(db, company, perm) == Decimal(6)


async def test_approval_posts_hours_and_cancelling_gives_them_back(db, company):
    company, perm = company
    request = await _ask(db, company, perm, TUESDAY, time(14), time(15, 30))
    async with db.transaction() as s:
        await decide_leave(s, actor=company.manager, request_id=request.id, approve=True, today=TODAY, now=NOW)
    async with db.session() as s:
        taken = await s.scalar(select(LeaveLedgerEntry).where(LeaveLedgerEntry.kind == LedgerKind.TAKEN))
    assert taken.delta == Decimal("-1.5") and taken.leave_type_id == perm
    assert await _hours_left(db, company, perm) == Decimal("6.5")
    async with db.transaction() as s:
        await cancel_leave(s, actor=company.alice, request_id=request.id, today=TODAY, now=NOW)
    assert await _hours_left(db, company, perm) == Decimal(8)


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (time(8), time(10), "outside_shift"),  # the shift starts at 9
        (time(17), time(19), "outside_shift"),  # and ends at 18
        (time(10), time(10, 15), "too_short"),
        (time(10), time(11, 15), "not_a_step"),
    ],
)
async def test_a_range_outside_the_shift_too_short_or_off_the_step_is_refused(db, company, start, end, code):
    company, perm = company
    async with db.session() as s:
        quote = await quote_leave(
            s, employee_id=company.alice_id, leave_type_id=perm, start=TUESDAY, end=TUESDAY, start_time=start,
            end_time=end, today=TODAY,
        )  # fmt: skip
    assert code in [v.code for v in quote.violations]
    with pytest.raises(RuleViolated):
        await _ask(db, company, perm, TUESDAY, start, end)


async def test_more_hours_than_the_allowance_are_refused(db, company):
    company, perm = company
    await _ask(db, company, perm, TUESDAY, time(9), time(15))
    with pytest.raises(RuleViolated) as caught:
        await _ask(db, company, perm, date(2026, 12, 2), time(9), time(12))
    assert caught.value.violation.code == "insufficient_balance"


async def test_two_bookings_on_one_day_may_not_overlap_but_may_follow_each_other(db, company):
    company, perm = company
    await _ask(db, company, perm, TUESDAY, time(9), time(10))
    await _ask(db, company, perm, TUESDAY, time(10), time(11))
    with pytest.raises(RuleViolated) as caught:
        await _ask(db, company, perm, TUESDAY, time(10, 30), time(11, 30))
    assert caught.value.violation.code == "overlap"


async def test_approved_hours_at_the_start_of_the_shift_are_not_lateness(db, company):
    company, perm = company
    async with db.transaction() as s:
        for hh, direction in ((11, Direction.IN), (18, Direction.OUT)):
            s.add(Punch(employee_id=company.alice_id, source=PunchSource.DEVICE, direction=direction,
                        instant=datetime(2026, 11, 20, hh, 5, tzinfo=BERLIN), device_user_id="a"))  # fmt: skip
    request = await _ask(db, company, perm, FRIDAY, time(9), time(11))
    async with db.transaction() as s:
        await decide_leave(s, actor=company.manager, request_id=request.id, approve=True, today=TODAY, now=NOW)
    async with db.session() as s:
        day = await s.scalar(select(DailyAttendance).where(DailyAttendance.date == FRIDAY))
    assert day is not None and day.status is AttendanceStatus.PRESENT
    assert day.late_minutes == 0  # 11:05 is within the grace after the booked 9–11
    async with db.transaction() as s:
        await cancel_leave(s, actor=company.hr, request_id=request.id, today=FRIDAY, now=NOW)  # HR, that day
    async with db.session() as s:
        day = await s.scalar(select(DailyAttendance).where(DailyAttendance.date == FRIDAY))
    assert day.late_minutes == 125  # without the leave she was two hours late


async def test_the_managers_team_view_counts_hours_off_as_excused_not_as_away(db, company):
    company, perm = company
    async with db.transaction() as s:
        s.add(Punch(employee_id=company.alice_id, source=PunchSource.DEVICE, direction=Direction.IN,
                    instant=datetime(2026, 11, 23, 11, 2, tzinfo=BERLIN), device_user_id="a"))  # fmt: skip
    request = await _ask(db, company, perm, TODAY, time(9), time(11))
    async with db.transaction() as s:
        await decide_leave(s, actor=company.manager, request_id=request.id, approve=True, today=TODAY, now=NOW)
    noon = datetime(2026, 11, 23, 12, tzinfo=BERLIN)
    async with db.session() as s:
        today = await team_today(s, manager_id=company.manager_id, now=noon, company_timezone="Europe/Berlin")
        approver_away = await on_leave_ids(s, [company.alice_id], TODAY)
    assert [m.name for m in today.present] == ["Alice"] and today.present[0].late_minutes == 0
    assert today.on_leave == [] and approver_away == set()


async def test_hours_with_a_half_day_are_refused(db, company):
    company, perm = company
    with pytest.raises(RuleViolated) as caught:
        await _ask(db, company, perm, TUESDAY, time(10), time(12), start_half=HalfDay.MORNING, end_half=HalfDay.MORNING)
    assert caught.value.violation.code == "no_half_days"
