"""Individual policy checks: type, half days, overlap, notice, backdating, length, attachment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from shared.domain.enums import HalfDay, LeaveStatus
from shared.domain.leave import LeavePolicy, LeaveRecord, LeaveSpan, Step, WorkCalendar
from shared.domain.leave_policy import (
    check_attachment,
    check_backdate,
    check_half_days_allowed,
    check_max_consecutive,
    check_not_all_days_off,
    check_notice,
    check_overlap,
    check_type_active,
)

AM, PM = HalfDay.MORNING, HalfDay.AFTERNOON
MON = date(2025, 3, 3)
TODAY = MON
WEEKDAYS = WorkCalendar("12345")
ANNUAL = LeavePolicy(id=1, code="annual", name="Annual leave")


def d(offset: int) -> date:
    return MON + timedelta(days=offset)


def code(violation: object) -> str | None:
    return getattr(violation, "code", None)


def own(
    start: date,
    end: date,
    status: LeaveStatus = LeaveStatus.APPROVED,
    start_half: HalfDay | None = None,
    end_half: HalfDay | None = None,
    id: int = 9,
) -> LeaveRecord:
    return LeaveRecord(id, 1, 1, start, end, start_half, end_half, Decimal(1), status)


def test_an_inactive_type_is_refused_at_the_type_step() -> None:
    violation = check_type_active(LeavePolicy(id=1, name="Old", active=False))
    assert (violation.code, violation.field) == ("type_inactive", Step.TYPE)


def test_an_active_type_passes() -> None:
    assert check_type_active(ANNUAL) is None


@pytest.mark.parametrize(
    ("span", "allowed", "expected"),
    [
        (LeaveSpan(d(0), d(0), AM, AM), False, "half_day_not_allowed"),
        (LeaveSpan(d(0), d(2), PM, None), False, "half_day_not_allowed"),
        (LeaveSpan(d(0), d(2), None, AM), False, "half_day_not_allowed"),
        (LeaveSpan(d(0), d(2)), False, None),
        (LeaveSpan(d(0), d(0), PM, PM), True, None),
    ],
    ids=[
        "a morning is refused when half days are not allowed",
        "an afternoon start is refused when half days are not allowed",
        "a lunchtime end is refused when half days are not allowed",
        "whole days pass when half days are not allowed",
        "a half day passes when half days are allowed",
    ],
)
def test_half_days_allowed(span: LeaveSpan, allowed: bool, expected: str | None) -> None:
    policy = LeavePolicy(id=1, name="Study", half_days_allowed=allowed)
    assert code(check_half_days_allowed(span, policy)) == expected


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (LeaveSpan(d(5), d(6)), "all_days_off"),
        (LeaveSpan(d(5), d(7)), None),
        (LeaveSpan(d(5), d(5), AM, AM), "all_days_off"),
    ],
    ids=[
        "a weekend only request is refused as all days off",
        "a weekend plus monday passes",
        "a saturday morning is refused as all days off",
    ],
)
def test_all_days_off(span: LeaveSpan, expected: str | None) -> None:
    assert code(check_not_all_days_off(span, WEEKDAYS)) == expected


@pytest.mark.parametrize(
    ("span", "existing", "expected"),
    [
        (LeaveSpan(d(0), d(2)), [own(d(2), d(4))], "overlap"),
        (LeaveSpan(d(0), d(2)), [own(d(2), d(4), LeaveStatus.PENDING)], "overlap"),
        (LeaveSpan(d(0), d(2)), [own(d(2), d(4), LeaveStatus.REJECTED)], None),
        (LeaveSpan(d(0), d(2)), [own(d(2), d(4), LeaveStatus.CANCELLED)], None),
        (LeaveSpan(d(0), d(0), AM, AM), [own(d(0), d(0), LeaveStatus.APPROVED, PM, PM)], None),
        (LeaveSpan(d(0), d(0), PM, PM), [own(d(0), d(0), LeaveStatus.APPROVED, PM, PM)], "overlap"),
        (LeaveSpan(d(0), d(0)), [own(d(0), d(0), LeaveStatus.APPROVED, AM, AM)], "overlap"),
        (LeaveSpan(d(0), d(2), None, AM), [own(d(2), d(4), LeaveStatus.PENDING, PM)], None),
        (LeaveSpan(d(0), d(1)), [own(d(3), d(4))], None),
        (LeaveSpan(d(0), d(1)), [], None),
    ],
    ids=[
        "an approved leave sharing a date overlaps",
        "a pending leave sharing a date overlaps",
        "a rejected leave does not count",
        "a cancelled leave does not count",
        "a morning next to an approved afternoon is fine",
        "two afternoons of the same day overlap",
        "a full day overlaps an approved morning",
        "ending at lunch next to a pending leave starting after lunch is fine",
        "separate dates do not overlap",
        "no other leave never overlaps",
    ],
)
def test_overlap(span: LeaveSpan, existing: list[LeaveRecord], expected: str | None) -> None:
    assert code(check_overlap(span, existing)) == expected


def test_a_stored_request_does_not_overlap_itself() -> None:
    stored = own(d(0), d(2), LeaveStatus.PENDING, id=5)
    assert check_overlap(stored.span, [stored], request_id=5) is None


def test_the_overlap_names_the_earliest_clashing_leave() -> None:
    violation = check_overlap(LeaveSpan(d(0), d(9)), [own(d(7), d(8), id=2), own(d(1), d(2), id=3)])
    assert violation.params == {"start": d(1), "end": d(2), "request_id": 3}
    assert violation.field == Step.DATES


@pytest.mark.parametrize(
    ("notice", "start", "expected"),
    [
        (3, TODAY + timedelta(days=3), None),
        (3, TODAY + timedelta(days=2), "notice_too_short"),
        (3, TODAY, "notice_too_short"),
        (0, TODAY, None),
        (1, TODAY, "notice_too_short"),
        (1, TODAY + timedelta(days=1), None),
        (14, date(2026, 1, 1), None),
        (14, date(2025, 3, 17), None),
        (14, date(2025, 3, 16), "notice_too_short"),
        (5, TODAY - timedelta(days=1), None),
    ],
    ids=[
        "exactly the notice passes",
        "one day short of the notice is refused",
        "starting today with three days notice is refused",
        "no notice allows today",
        "one day notice refuses today",
        "one day notice allows tomorrow",
        "plenty of notice across the year boundary passes",
        "fourteen days notice counts calendar days including weekends",
        "thirteen calendar days is short of fourteen",
        "a start in the past is left to the backdating rule",
    ],
)
def test_notice(notice: int, start: date, expected: str | None) -> None:
    policy = LeavePolicy(id=1, min_notice_days=notice)
    assert code(check_notice(LeaveSpan(start, start), policy, TODAY)) == expected


def test_the_notice_reason_has_a_plural_and_the_earliest_date() -> None:
    violation = check_notice(LeaveSpan(TODAY, TODAY), LeavePolicy(id=1, min_notice_days=3), TODAY)
    assert violation.message == "Please request this leave at least {n} day in advance."
    assert violation.plural == "Please request this leave at least {n} days in advance."
    assert violation.n == 3
    assert violation.params["earliest"] == TODAY + timedelta(days=3)


@pytest.mark.parametrize(
    ("backdate", "days_back", "expected"),
    [
        (0, 0, None),
        (0, 1, "start_in_past"),
        (3, 3, None),
        (3, 4, "backdate_too_far"),
        (1, 1, None),
        (1, 2, "backdate_too_far"),
        (7, 0, None),
        (0, -5, None),
    ],
    ids=[
        "today is not in the past",
        "yesterday is refused when backdating is not allowed",
        "backdating exactly the allowed days passes",
        "backdating one day more than allowed is refused",
        "backdating exactly one allowed day passes",
        "backdating two days when one is allowed is refused",
        "a type that allows backdating still accepts today",
        "a future start is never backdated",
    ],
)
def test_backdate(backdate: int, days_back: int, expected: str | None) -> None:
    start = TODAY - timedelta(days=days_back)
    policy = LeavePolicy(id=1, backdate_days=backdate)
    assert code(check_backdate(LeaveSpan(start, start), policy, TODAY)) == expected


def test_a_backdate_across_the_year_boundary_counts_calendar_days() -> None:
    policy = LeavePolicy(id=1, backdate_days=3)
    assert check_backdate(LeaveSpan(date(2025, 12, 30), date(2026, 1, 2)), policy, date(2026, 1, 2)) is None
    late = check_backdate(LeaveSpan(date(2025, 12, 29), date(2026, 1, 2)), policy, date(2026, 1, 2))
    assert (late.code, late.n) == ("backdate_too_far", 3)


@pytest.mark.parametrize(
    ("span", "maximum", "expected"),
    [
        (LeaveSpan(d(0), d(4)), 5, None),
        (LeaveSpan(d(0), d(7)), 5, "too_many_consecutive_days"),
        (LeaveSpan(d(0), d(7), None, AM), 5, "too_many_consecutive_days"),
        (LeaveSpan(d(0), d(6)), 5, None),
        (LeaveSpan(d(0), d(30)), None, None),
        (LeaveSpan(d(0), d(0), AM, AM), 0, "too_many_consecutive_days"),
    ],
    ids=[
        "exactly the maximum of working days passes",
        "one working day over the maximum is refused",
        "five and a half working days exceed a maximum of five",
        "weekends do not count toward the maximum",
        "no maximum allows a month",
        "a zero maximum refuses even half a day",
    ],
)
def test_max_consecutive(span: LeaveSpan, maximum: int | None, expected: str | None) -> None:
    policy = LeavePolicy(id=1, max_consecutive_days=maximum)
    assert code(check_max_consecutive(span, policy, WEEKDAYS)) == expected


def test_the_consecutive_reason_carries_what_was_requested() -> None:
    span = LeaveSpan(d(0), d(7), None, AM)
    violation = check_max_consecutive(span, LeavePolicy(id=1, max_consecutive_days=5), WEEKDAYS)
    assert (violation.n, violation.params["requested"]) == (5, Decimal("5.5"))


@pytest.mark.parametrize(
    ("required", "has_attachment", "expected"),
    [
        (True, False, "attachment_required"),
        (True, True, None),
        (False, False, None),
    ],
    ids=[
        "sick leave without a document is refused",
        "sick leave with a document passes",
        "a type without the requirement passes without a document",
    ],
)
def test_attachment(required: bool, has_attachment: bool, expected: str | None) -> None:
    policy = LeavePolicy(id=2, name="Sick leave", attachment_required=required)
    violation = check_attachment(policy, has_attachment)
    assert code(violation) == expected
    if violation:
        assert violation.field == Step.ATTACHMENT
