"""Limits that depend on others: balance with pending reserved, blackouts, department absent share, and
``check_request`` returning every violation at once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from shared.domain.enums import HalfDay, LeaveStatus
from shared.domain.leave import LeavePolicy, LeaveRecord, LeaveSpan, Step, WorkCalendar
from shared.domain.leave_policy import (
    Blackout,
    DepartmentLoad,
    check_absent_share,
    check_balance,
    check_blackouts,
    check_request,
    reserved_days,
)
from shared.domain.leave_year import YearBalance

AM, PM = HalfDay.MORNING, HalfDay.AFTERNOON
MON = date(2025, 3, 3)
TODAY = date(2025, 2, 3)
WEEKDAYS = WorkCalendar("12345")
ANNUAL = LeavePolicy(id=1, code="annual", name="Annual leave")
SALES, OPS = 10, 20
ME = 1


def d(offset: int) -> date:
    return MON + timedelta(days=offset)


def code(violation: object) -> str | None:
    return getattr(violation, "code", None)


def leave(
    employee: int,
    start: date,
    end: date,
    status: LeaveStatus = LeaveStatus.APPROVED,
    start_half: HalfDay | None = None,
    end_half: HalfDay | None = None,
    days: str = "1",
    type_id: int = 1,
    id: int | None = None,
) -> LeaveRecord:
    return LeaveRecord(id or employee * 100, employee, type_id, start, end, start_half, end_half, Decimal(days), status)


@pytest.mark.parametrize(
    ("requested", "balance", "reserved", "negative", "expected"),
    [
        ("5", "5", "0", False, None),
        ("5.5", "5", "0", False, "insufficient_balance"),
        ("3", "5", "2", False, None),
        ("3.5", "5", "2", False, "insufficient_balance"),
        ("10", "0", "0", True, None),
        ("10", "-4", "3", True, None),
        ("0.5", "0.5", "0", False, None),
        ("0.5", "0", "0", False, "insufficient_balance"),
        ("1", "-1", "0", False, "insufficient_balance"),
    ],
    ids=[
        "a balance exactly equal to the request passes",
        "half a day more than the balance is refused",
        "pending requests are reserved but what is left is enough",
        "pending requests are reserved and what is left is not enough",
        "a type that allows a negative balance passes with nothing left",
        "a negative balance type passes even when already negative",
        "half a day against half a day passes",
        "half a day against nothing is refused",
        "a negative balance refuses a type that does not allow it",
    ],
)
def test_balance(requested: str, balance: str, reserved: str, negative: bool, expected: str | None) -> None:
    policy = LeavePolicy(id=1, negative_allowed=negative)
    violation = check_balance(
        policy, requested=Decimal(requested), balance=Decimal(balance), reserved=Decimal(reserved)
    )
    assert code(violation) == expected


def test_the_balance_reason_says_what_is_available() -> None:
    violation = check_balance(ANNUAL, requested=Decimal(4), balance=Decimal(5), reserved=Decimal(2))
    assert violation.params["available"] == Decimal(3)
    assert str(violation.as_error()) == "Not enough days left: 4 requested, 3 available."


def test_only_pending_requests_of_the_same_type_are_reserved() -> None:
    requests = [
        leave(ME, d(0), d(1), LeaveStatus.PENDING, days="2", id=1),
        leave(ME, d(7), d(7), LeaveStatus.PENDING, days="1", type_id=2, id=2),
        leave(ME, d(8), d(8), LeaveStatus.APPROVED, days="1", id=3),
        leave(ME, d(9), d(9), LeaveStatus.PENDING, days="0.5", id=4),
    ]
    assert reserved_days(requests, leave_type_id=1) == Decimal("2.5")
    assert reserved_days(requests, leave_type_id=1, request_id=1) == Decimal("0.5")


@pytest.mark.parametrize(
    ("blackout", "department_id", "expected"),
    [
        (Blackout(1, None, d(2), d(2), "Inventory"), SALES, "blackout"),
        (Blackout(1, None, d(2), d(2), "Inventory"), None, "blackout"),
        (Blackout(1, SALES, d(0), d(0)), SALES, "blackout"),
        (Blackout(1, OPS, d(0), d(4)), SALES, None),
        (Blackout(1, SALES, d(5), d(9)), SALES, None),
        (Blackout(1, SALES, d(-5), d(0)), SALES, "blackout"),
        (Blackout(1, SALES, d(4), d(20)), SALES, "blackout"),
        (Blackout(1, SALES, d(-3), d(-1)), SALES, None),
    ],
    ids=[
        "a company wide blackout refuses everyone",
        "a company wide blackout refuses someone without a department",
        "a blackout of my department refuses me",
        "a blackout of another department does not apply",
        "a blackout after my dates does not apply",
        "a blackout ending on my first day applies",
        "a blackout starting on my last day applies",
        "a blackout ending before my first day does not apply",
    ],
)
def test_blackouts(blackout: Blackout, department_id: int | None, expected: str | None) -> None:
    assert code(check_blackouts(LeaveSpan(d(0), d(4)), department_id, [blackout])) == expected


def test_a_blackout_reason_is_part_of_the_message_only_when_given() -> None:
    with_reason = check_blackouts(LeaveSpan(d(0), d(0)), None, [Blackout(1, None, d(0), d(1), "Year-end close")])
    without = check_blackouts(LeaveSpan(d(0), d(0)), None, [Blackout(2, None, d(0), d(1))])
    assert str(with_reason.as_error()) == "Leave is not possible from 2025-03-03 to 2025-03-04: Year-end close."
    assert str(without.as_error()) == "Leave is not possible from 2025-03-03 to 2025-03-04."


@pytest.mark.parametrize(
    ("share", "headcount", "others", "expected"),
    [
        ("0.3", 10, [leave(2, d(0), d(4)), leave(3, d(0), d(4))], None),
        ("0.3", 10, [leave(2, d(0), d(4)), leave(3, d(0), d(4)), leave(4, d(2), d(2))], "department_capacity"),
        (
            "0.3",
            10,
            [leave(2, d(0), d(4)), leave(3, d(0), d(4), LeaveStatus.PENDING), leave(4, d(2), d(2))],
            "department_capacity",
        ),
        ("0.3", 10, [leave(2, d(0), d(4)), leave(3, d(0), d(4)), leave(4, d(2), d(2), LeaveStatus.REJECTED)], None),
        ("0.3", 7, [leave(2, d(0), d(0))], None),
        ("0.3", 7, [leave(2, d(0), d(0)), leave(3, d(4), d(4))], None),
        ("0.3", 7, [leave(2, d(0), d(0)), leave(3, d(0), d(0))], "department_capacity"),
        ("0.333", 3, [], None),
        ("0.333", 3, [leave(2, d(1), d(1))], "department_capacity"),
        ("0.5", 4, [leave(2, d(0), d(0), start_half=AM, end_half=AM)], None),
        ("0.25", 4, [leave(2, d(0), d(0), start_half=AM, end_half=AM)], "department_capacity"),
        ("0.25", 4, [leave(2, d(5), d(6))], None),
        ("0.3", 2, [], "department_capacity"),
        (None, 2, [leave(2, d(0), d(4))], None),
        ("0.2", 5, [leave(ME, d(0), d(4), id=77)], None),
    ],
    ids=[
        "two others away out of ten plus me is exactly the maximum share",
        "a fourth person on one day exceeds a share of 0.3 of ten",
        "pending leave of others counts as away",
        "rejected leave of others does not count",
        "two of seven is under 0.3",
        "others away on different days do not add up",
        "three of seven rounds over 0.3",
        "one of three is within 0.333 once the share is rounded",
        "two of three is over 0.333",
        "a colleague away in the morning and me all day is half of four",
        "a colleague away in the morning is counted in that half day",
        "colleagues away only at the weekend do not count",
        "in a department of two a share of 0.3 refuses anyone",
        "no maximum share means no check",
        "my own other leave is not counted as a colleague",
    ],
)
def test_absent_share(share: str | None, headcount: int, others: list[LeaveRecord], expected: str | None) -> None:
    department = DepartmentLoad(SALES, None if share is None else Decimal(share), headcount)
    violation = check_absent_share(LeaveSpan(d(0), d(4)), WEEKDAYS, department, others, employee_id=ME)
    assert code(violation) == expected


def test_a_half_day_request_is_only_counted_in_its_half() -> None:
    department = DepartmentLoad(SALES, Decimal("0.25"), 4)
    others = [leave(2, d(0), d(0), start_half=AM, end_half=AM)]
    afternoon = LeaveSpan(d(0), d(0), PM, PM)
    assert check_absent_share(afternoon, WEEKDAYS, department, others, employee_id=ME) is None


def test_the_capacity_reason_names_the_first_full_day() -> None:
    department = DepartmentLoad(SALES, Decimal("0.2"), 5)
    others = [leave(2, d(3), d(4))]
    violation = check_absent_share(LeaveSpan(d(0), d(4)), WEEKDAYS, department, others, employee_id=ME)
    assert violation.params == {"date": d(3), "absent": 2, "headcount": 5}


# --- check_request: every violation at once ---------------------------------------------------------


def check(span: LeaveSpan, policy: LeavePolicy = ANNUAL, **kwargs: object) -> list[str]:
    kwargs.setdefault("today", TODAY)
    return [v.code for v in check_request(span, policy=policy, calendar=WEEKDAYS, employee_id=ME, **kwargs)]


def test_a_valid_request_has_no_violations() -> None:
    assert check(LeaveSpan(d(0), d(4)), balances=[YearBalance(d(0).year, Decimal(20))]) == []


def test_every_violation_is_reported_in_the_order_of_the_steps() -> None:
    policy = LeavePolicy(
        id=1, name="Sick", active=False, half_days_allowed=False, attachment_required=True, max_consecutive_days=1
    )
    codes = check(
        LeaveSpan(d(0), d(4), PM, None),
        policy,
        today=d(1),
        existing=[leave(ME, d(3), d(3))],
        blackouts=[Blackout(1, None, d(4), d(4))],
        balances=[YearBalance(d(0).year, Decimal(1))],
        has_attachment=False,
    )
    assert codes == [
        "type_inactive",
        "half_day_not_allowed",
        "start_in_past",
        "blackout",
        "overlap",
        "too_many_consecutive_days",
        "insufficient_balance",
        "attachment_required",
    ]


def test_what_pending_requests_reserve_is_set_aside_from_the_balance() -> None:
    year = d(0).year
    assert check(LeaveSpan(d(0), d(1)), balances=[YearBalance(year, Decimal(5), Decimal(3))]) == []
    assert check(LeaveSpan(d(0), d(2)), balances=[YearBalance(year, Decimal(5), Decimal(3))]) == [
        "insufficient_balance"
    ]


def test_each_year_of_a_request_is_checked_against_its_own_balance() -> None:
    span = LeaveSpan(date(2026, 12, 28), date(2027, 1, 8))  # 4 days in 2026 (Dec 28-31), 6 in 2027
    today = date(2026, 12, 1)
    enough = [YearBalance(2026, Decimal(4)), YearBalance(2027, Decimal(6))]
    assert check(span, today=today, balances=enough) == []
    short_next = [YearBalance(2026, Decimal(30)), YearBalance(2027, Decimal(5))]
    violations = check_request(span, policy=ANNUAL, calendar=WEEKDAYS, employee_id=ME, today=today, balances=short_next)
    assert [v.code for v in violations] == ["insufficient_balance"]
    assert violations[0].params["year"] == "2027"


def test_leave_after_the_end_of_next_year_is_refused() -> None:
    today = date(2026, 12, 3)
    assert check(LeaveSpan(date(2027, 12, 30), date(2027, 12, 31)), today=today) == []
    assert check(LeaveSpan(date(2027, 12, 31), date(2028, 1, 3)), today=today) == ["too_far_ahead"]


def test_the_attachment_is_only_checked_when_asked() -> None:
    sick = LeavePolicy(id=2, name="Sick", attachment_required=True)
    assert check(LeaveSpan(d(0), d(0)), sick) == []
    assert check(LeaveSpan(d(0), d(0)), sick, has_attachment=False) == ["attachment_required"]
    assert check(LeaveSpan(d(0), d(0)), sick, has_attachment=True) == []


def test_a_weekend_only_request_is_refused_without_other_date_noise() -> None:
    policy = LeavePolicy(id=1, max_consecutive_days=0)
    assert check(LeaveSpan(d(5), d(6)), policy, balances=[YearBalance(2025, Decimal(0))]) == ["all_days_off"]


def test_dates_in_the_wrong_order_stop_the_date_checks() -> None:
    assert check(
        LeaveSpan(d(4), d(0)), balances=[YearBalance(2025, Decimal(0))], blackouts=[Blackout(1, None, d(0), d(9))]
    ) == ["end_before_start"]


def test_wrong_half_days_still_report_calendar_rules() -> None:
    codes = check(LeaveSpan(d(0), d(4), AM, None), today=d(2), blackouts=[Blackout(1, None, d(0), d(0))])
    assert codes == ["start_half_morning", "start_in_past", "blackout"]


def test_the_department_of_the_load_decides_which_blackouts_apply() -> None:
    blackouts = [Blackout(1, OPS, d(0), d(0))]
    assert check(LeaveSpan(d(0), d(0)), department=DepartmentLoad(OPS, None, 5), blackouts=blackouts) == ["blackout"]
    assert check(LeaveSpan(d(0), d(0)), department=DepartmentLoad(SALES, None, 5), blackouts=blackouts) == []
    assert check(LeaveSpan(d(0), d(0)), department_id=OPS, blackouts=blackouts) == ["blackout"]


def test_the_team_share_is_part_of_the_request_check() -> None:
    department = DepartmentLoad(SALES, Decimal("0.5"), 2)
    team = [leave(2, d(0), d(0))]
    assert check(LeaveSpan(d(0), d(0)), department=department, team_leave=team) == ["department_capacity"]


def test_every_reason_points_at_a_step() -> None:
    violations = check_request(
        LeaveSpan(d(5), d(6), PM, AM),
        policy=LeavePolicy(id=1, half_days_allowed=False, min_notice_days=60, attachment_required=True),
        calendar=WEEKDAYS,
        today=TODAY,
        employee_id=ME,
        has_attachment=False,
    )
    assert {v.field for v in violations} == {Step.HALF_DAY, Step.DATES, Step.ATTACHMENT}
