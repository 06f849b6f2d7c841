"""Evaluating the working-time rules against stored punches: upserted, re-evaluated, resolved, acknowledged."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from shared.domain.compliance import RuleCode
from shared.domain.enums import Direction, PunchSource
from shared.errors import Conflict, Forbidden, Invalid
from shared.model import AuditLog, ComplianceViolation, OutboxMessage, Punch
from shared.persistence import Database
from shared.services.attendance.processing import process_days
from shared.services.attendance.punches import record_punch
from shared.services.attendance.refresh import refresh_days
from shared.services.compliance.evaluation import evaluate_window
from shared.services.compliance.limits import set_rule
from shared.services.compliance.violations import ViolationFilter, acknowledge_violation, list_violations
from tests.factories import Company, make_company

MONDAY = date(2026, 11, 16)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TZ = "Europe/Berlin"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


async def add_punches(db: Database, employee_id: int, *spans: tuple[datetime, datetime]) -> None:
    async with db.transaction() as s:
        for start, end in spans:
            s.add(Punch(employee_id=employee_id, source=PunchSource.API, instant=start, direction=Direction.IN))
            s.add(Punch(employee_id=employee_id, source=PunchSource.API, instant=end, direction=Direction.OUT))


async def evaluate(db: Database, first: date = MONDAY, last: date = MONDAY + timedelta(days=6), ids=None):
    async with db.transaction() as s:
        return await evaluate_window(s, date_from=first, date_to=last, now=NOW, company_timezone=TZ, employee_ids=ids)


async def stored(db: Database) -> list[ComplianceViolation]:
    async with db.session() as s:
        return list(await s.scalars(select(ComplianceViolation).order_by(ComplianceViolation.period_start)))


@pytest.fixture
async def company(db: Database) -> Company:
    return await make_company(db)


async def test_a_short_rest_is_recorded_once_however_often_it_is_evaluated(db: Database, company: Company):
    day2 = MONDAY + timedelta(days=1)
    await add_punches(db, company.alice_id, (at(MONDAY, 12), at(MONDAY, 17)), (at(day2, 3), at(day2, 8)))
    first = await evaluate(db)
    again = await evaluate(db)
    rows = await stored(db)
    assert (first.created, again.created, again.updated) == (1, 0, 0)
    assert [(r.employee_id, r.rule, r.period_start, r.actual, r.excess) for r in rows] == [
        (company.alice_id, "daily_rest", day2, 600, 60)
    ]


async def test_a_rest_of_exactly_eleven_hours_records_nothing(db: Database, company: Company):
    day2 = MONDAY + timedelta(days=1)
    await add_punches(db, company.alice_id, (at(MONDAY, 12), at(MONDAY, 17)), (at(day2, 4), at(day2, 9)))
    await evaluate(db)
    assert await stored(db) == []


async def test_a_violation_no_longer_true_is_removed_and_an_acknowledged_one_is_kept_resolved(
    db: Database, company: Company
):
    day2 = MONDAY + timedelta(days=1)
    await add_punches(db, company.alice_id, (at(MONDAY, 12), at(MONDAY, 17)), (at(day2, 3), at(day2, 8)))
    await add_punches(db, company.bob_id, (at(MONDAY, 12), at(MONDAY, 17)), (at(day2, 3), at(day2, 8)))
    await evaluate(db)
    bobs = next(r for r in await stored(db) if r.employee_id == company.bob_id)
    async with db.transaction() as s:
        await acknowledge_violation(s, actor=company.hr, violation_id=bobs.id, comment="Talked to Bob", now=NOW)
    async with db.transaction() as s:  # the early punches were a device error: HR removes them
        for punch in await s.scalars(select(Punch).where(Punch.instant >= at(day2, 0))):
            await s.delete(punch)
    result = await evaluate(db)
    rows = await stored(db)
    assert (result.removed, result.resolved) == (1, 1)
    assert [(r.employee_id, r.acknowledgement_comment, r.resolved_at is not None) for r in rows] == [
        (company.bob_id, "Talked to Bob", True)
    ]


async def test_re_processing_a_day_re_evaluates_its_rules(db: Database, company: Company):
    day2 = MONDAY + timedelta(days=1)
    await add_punches(db, company.alice_id, (at(MONDAY, 6), at(MONDAY, 20)))
    async with db.transaction() as s:
        await refresh_days(
            s, employee_ids=[company.alice_id], date_from=MONDAY, date_to=day2, now=NOW, actor=company.hr, why="test"
        )
    assert sorted(r.rule for r in await stored(db)) == ["break", "daily_hours"]


async def test_department_and_shift_overrides_change_the_limits(db: Database, company: Company):
    await add_punches(db, company.alice_id, (at(MONDAY, 8), at(MONDAY, 14, 30)))
    await evaluate(db)
    assert [r.rule for r in await stored(db)] == ["break"]
    async with db.transaction() as s:
        await set_rule(
            s, actor=company.hr, department_id=company.department_id, shift_id=None, values={"break_after": 400}
        )
    await evaluate(db)
    assert await stored(db) == []
    async with db.transaction() as s:
        await set_rule(
            s, actor=company.hr, department_id=None, shift_id=company.day_shift_id, values={"break_after": 300}
        )
        assert (await s.scalar(select(AuditLog).where(AuditLog.entity == "compliance_rule").limit(1))) is not None
    await evaluate(db)
    assert [(r.rule, r.limit_value, r.excess) for r in await stored(db)] == [("break", 300, 90)]


async def test_bad_rule_values_are_refused_and_only_hr_may_set_them(db: Database, company: Company):
    async with db.transaction() as s:
        with pytest.raises(Invalid):
            await set_rule(s, actor=company.hr, department_id=None, shift_id=None, values={"max_daily": -5})
        with pytest.raises(Invalid):
            await set_rule(s, actor=company.hr, department_id=None, shift_id=None, values={"disabled": ["nap"]})
        with pytest.raises(Forbidden):
            await set_rule(s, actor=company.manager, department_id=None, shift_id=None, values={"max_daily": 600})


async def test_violations_are_filtered_and_acknowledged_once_with_a_comment(db: Database, company: Company):
    await add_punches(db, company.alice_id, (at(MONDAY, 8), at(MONDAY, 15)))
    await add_punches(db, company.bob_id, (at(MONDAY, 6), at(MONDAY, 20)))
    await evaluate(db)
    async with db.session() as s:
        everyone = await list_violations(s, where=ViolationFilter(), about=None, limit=50, offset=0)
        alices = await list_violations(s, where=ViolationFilter(), about={company.alice_id}, limit=50, offset=0)
        breaks = await list_violations(s, where=ViolationFilter(rule=RuleCode.BREAK), about=None, limit=1, offset=0)
    assert everyone.total == 3 and alices.total == 1 and breaks.total == 2 and len(breaks.items) == 1
    violation_id = alices.items[0].id
    async with db.transaction() as s:
        with pytest.raises(Invalid):
            await acknowledge_violation(s, actor=company.hr, violation_id=violation_id, comment="  ", now=NOW)
    async with db.transaction() as s:
        await acknowledge_violation(s, actor=company.hr, violation_id=violation_id, comment="Agreed overtime", now=NOW)
    async with db.transaction() as s:
        with pytest.raises(Conflict):
            await acknowledge_violation(s, actor=company.hr, violation_id=violation_id, comment="again", now=NOW)
    async with db.session() as s:
        open_ones = await list_violations(s, where=ViolationFilter(acknowledged=False), about=None, limit=50, offset=0)
        entry = await s.scalar(select(AuditLog).where(AuditLog.action == "acknowledge"))
    assert open_ones.total == 2 and entry is not None and entry.new["acknowledgement_comment"] == "Agreed overtime"


async def test_a_check_in_too_soon_warns_the_person_and_queues_a_message_to_the_manager(db: Database, company: Company):
    out_at = at(MONDAY, 20)
    await add_punches(db, company.alice_id, (at(MONDAY, 12), out_at))
    check_in = out_at + timedelta(hours=9, minutes=40)
    async with db.transaction() as s:
        outcome = await record_punch(
            s, actor=company.alice, employee_id=company.alice_id, direction=Direction.IN, instant=check_in,
            source=PunchSource.TELEGRAM, now=check_in, company_timezone=TZ,
        )  # fmt: skip
    assert outcome.rest_warning is not None
    assert (outcome.rest_warning.rest_minutes, outcome.rest_warning.required_minutes) == (580, 660)
    async with db.session() as s:
        messages = list(await s.scalars(select(OutboxMessage)))
    assert [m.chat_id for m in messages] == [9002]
    assert "Alice" in messages[0].payload["text"] and "9 h 40 min" in messages[0].payload["text"]


async def test_a_check_in_after_a_full_rest_warns_nobody(db: Database, company: Company):
    out_at = at(MONDAY, 17)
    await add_punches(db, company.alice_id, (at(MONDAY, 9), out_at))
    check_in = out_at + timedelta(hours=11)
    async with db.transaction() as s:
        outcome = await record_punch(
            s, actor=company.alice, employee_id=company.alice_id,
            direction=Direction.IN, instant=check_in, source=PunchSource.TELEGRAM, now=check_in, company_timezone=TZ,
        )  # fmt: skip
    async with db.session() as s:
        assert outcome.rest_warning is None and list(await s.scalars(select(OutboxMessage))) == []


async def test_the_rest_warning_is_the_same_whether_the_last_punch_is_given_or_read(db: Database, company: Company):
    from shared.domain.punches import PunchFact
    from shared.model import Employee
    from shared.services.compliance.rest import rest_warning

    out_at = at(MONDAY, 20)
    await add_punches(db, company.alice_id, (at(MONDAY, 12), out_at))
    async with db.session() as s:
        alice = await s.get(Employee, company.alice_id)
        assert alice is not None
        for check_in in (
            out_at + timedelta(hours=9, minutes=40),
            out_at + timedelta(hours=11),
            out_at + timedelta(days=2),
        ):
            read = await rest_warning(s, employee=alice, check_in=check_in)
            given = await rest_warning(s, employee=alice, check_in=check_in, last=PunchFact(out_at, Direction.OUT))
            assert read == given
        too_soon = out_at + timedelta(hours=9, minutes=40)
        assert await rest_warning(s, employee=alice, check_in=too_soon) is not None
        assert await rest_warning(s, employee=alice, check_in=too_soon, last=PunchFact(out_at, Direction.IN)) is None


async def test_the_weekly_average_sums_the_daily_rows_of_the_reference_period(db: Database, company: Company):
    from shared.domain.compliance import reference_period
    from shared.domain.enums import AttendanceStatus
    from shared.model import DailyAttendance

    first, last = reference_period(MONDAY, 17)
    async with db.transaction() as s:
        day = first
        while day <= last:
            if day.weekday() < 5:  # 48 h a week exactly: 576 minutes a day
                for who in (company.alice_id, company.bob_id):
                    s.add(DailyAttendance(employee_id=who, date=day, status=AttendanceStatus.PRESENT,
                                          worked_minutes=576 + (1 if who == company.bob_id and day == first else 0)))  # fmt: skip
            day += timedelta(days=1)
    await evaluate(db)
    rows = await stored(db)
    assert [(r.employee_id, r.rule, r.period_start, r.period_end, r.actual) for r in rows] == [
        (company.bob_id, "weekly_average", first, last, 48 * 60 + 1)
    ]


async def test_evaluating_day_by_day_stores_the_same_violations_as_the_whole_week_at_once(
    db: Database, company: Company
):
    spans = []
    for day in range(8):  # eight days in a row: 14–22 then 06–12 (8 h of rest), one day of 14 h
        start = at(MONDAY + timedelta(days=day), 6 if day % 2 else 14)
        spans.append((start, start + timedelta(hours=14 if day == 3 else 6 if day % 2 else 8)))
    await add_punches(db, company.alice_id, *spans)
    last = MONDAY + timedelta(days=7)
    async with db.transaction() as s:  # as every night: the days are processed, then evaluated
        await process_days(s, date_from=MONDAY, date_to=last, now=NOW, company_timezone=TZ)
    for offset in range(8):
        await evaluate(db, MONDAY + timedelta(days=offset), MONDAY + timedelta(days=offset))
    day_by_day = [(r.rule, r.period_start, r.period_end, r.actual) for r in await stored(db)]
    async with db.transaction() as s:
        for row in await s.scalars(select(ComplianceViolation)):
            await s.delete(row)
    await evaluate(db, MONDAY, last)
    at_once = [(r.rule, r.period_start, r.period_end, r.actual) for r in await stored(db)]
    assert sorted(day_by_day) == sorted(at_once)
    assert ("consecutive_days", MONDAY, last, 8) in at_once
    assert {rule for rule, *_ in at_once} >= {"daily_rest", "daily_hours", "break", "consecutive_days"}


async def test_a_corrected_check_out_re_evaluates_the_rest_that_ends_the_next_day(db: Database, company: Company):
    day2 = MONDAY + timedelta(days=1)
    await add_punches(db, company.alice_id, (at(MONDAY, 16), at(MONDAY, 18)), (at(day2, 6), at(day2, 11)))
    await evaluate(db, MONDAY, day2)
    assert await stored(db) == []
    async with db.transaction() as s:  # HR finds Monday's real check-out was at 21:00
        punch = await s.scalar(select(Punch).where(Punch.instant == at(MONDAY, 18)))
        punch.instant = at(MONDAY, 21)
    await evaluate(db, MONDAY, MONDAY)
    assert [(r.rule, r.period_start, r.actual) for r in await stored(db)] == [("daily_rest", day2, 540)]
