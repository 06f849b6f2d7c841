"""Digest rows: exceptions by department, unknown device users, offline devices, who is out today."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.attendance import DayResult
from shared.domain.digest import (
    ApprovedLeave,
    DigestKind,
    EmployeeInfo,
    OfflineDevice,
    UnknownPunch,
    build_digest,
    exceptions_of,
    return_date,
)
from shared.domain.enums import AttendanceStatus as S
from shared.domain.enums import HalfDay

K = DigestKind
DAY = date(2026, 5, 4)  # a Monday
T = datetime(2026, 5, 4, 7, tzinfo=UTC)

EMPLOYEES = {
    1: EmployeeInfo(1, "E1", "Zoe Adams", "Sales"),
    2: EmployeeInfo(2, "E2", "Ann Brown", "Sales"),
    3: EmployeeInfo(3, "E3", "Bob Clark", "Engineering"),
    4: EmployeeInfo(4, "E4", "Cid Drake", None),
    5: EmployeeInfo(5, "E5", "dan early", "accounting", work_week="123456"),
}


def row(employee_id: int = 1, status: S = S.PRESENT, day: date = DAY, **fields) -> DayResult:
    defaults = {"first_in": T, "last_out": T + timedelta(hours=8), "punch_count": 2, "worked_minutes": 480}
    if status in (S.ABSENT, S.ON_LEAVE, S.HOLIDAY, S.WEEKEND):
        defaults = {}
    return DayResult(employee_id, day, status, **{"is_final": True, **defaults, **fields})


# fmt: off
KINDS = [
    ("a present day on time is no exception", row(), []),
    ("an absent day is absent without leave", row(status=S.ABSENT), [(K.ABSENT, None)]),
    ("an absent-by-hours day is only absent", row(status=S.ABSENT, punch_count=2, worked_minutes=30),
     [(K.ABSENT, None)]),
    ("a late arrival reports its minutes", row(late_minutes=25), [(K.LATE, 25)]),
    ("an early exit reports its minutes", row(early_exit_minutes=40), [(K.EARLY_EXIT, 40)]),
    ("late and early are two exceptions", row(late_minutes=5, early_exit_minutes=6),
     [(K.LATE, 5), (K.EARLY_EXIT, 6)]),
    ("an incomplete day is a missing check-out", row(status=S.INCOMPLETE, last_out=None, punch_count=1),
     [(K.MISSING_CHECKOUT, None)]),
    ("an incomplete late day is a missing check-out and late",
     row(status=S.INCOMPLETE, last_out=None, punch_count=1, late_minutes=15),
     [(K.MISSING_CHECKOUT, None), (K.LATE, 15)]),
    ("a lone check-out is a missing check-in", row(status=S.INCOMPLETE, first_in=None, last_out=None, punch_count=1),
     [(K.MISSING_CHECKIN, None)]),
    ("a half day reports the minutes worked", row(status=S.HALF_DAY, worked_minutes=200, early_exit_minutes=280),
     [(K.HALF_DAY, 200), (K.EARLY_EXIT, 280)]),
    ("full leave is no exception", row(status=S.ON_LEAVE, leave_request_id=3), []),
    ("full leave with punches is no exception", row(status=S.ON_LEAVE, first_in=T, punch_count=1), []),
    ("a holiday is no exception", row(status=S.HOLIDAY), []),
    ("a weekend is no exception", row(status=S.WEEKEND), []),
    ("work on a day off is no exception", row(worked_on_day_off=True), []),
    ("a day off with a missing check-out is reported",
     row(status=S.INCOMPLETE, last_out=None, punch_count=1, worked_on_day_off=True), [(K.MISSING_CHECKOUT, None)]),
    ("half leave without any punch misses the working half",
     row(status=S.HALF_LEAVE, first_in=None, last_out=None, punch_count=0, worked_minutes=0), [(K.ABSENT_HALF, None)]),
    ("half leave worked in full is no exception", row(status=S.HALF_LEAVE, worked_minutes=240), []),
    ("half leave arriving late is late", row(status=S.HALF_LEAVE, late_minutes=30), [(K.LATE, 30)]),
    ("half leave without check-out is a missing check-out", row(status=S.HALF_LEAVE, last_out=None, punch_count=1),
     [(K.MISSING_CHECKOUT, None)]),
]
# fmt: on


@pytest.mark.parametrize(("result", "expected"), [c[1:] for c in KINDS], ids=[c[0] for c in KINDS])
def test_exceptions_of_one_row(result, expected):
    assert exceptions_of(result) == expected


def test_exceptions_are_grouped_by_department_then_sorted_by_name():
    results = [
        row(1, late_minutes=12),
        row(2, status=S.ABSENT),
        row(3, early_exit_minutes=20),
        row(4, status=S.ABSENT),
        row(5, late_minutes=3, early_exit_minutes=4),
        row(2, late_minutes=99, day=DAY - timedelta(days=1)),  # another date: ignored
    ]
    digest = build_digest(date=DAY, results=results, employees=EMPLOYEES)
    assert [g.department_name for g in digest.groups] == ["accounting", "Engineering", "Sales", None]
    assert [(r.full_name, r.kind) for r in digest.rows] == [
        ("dan early", K.LATE),
        ("dan early", K.EARLY_EXIT),
        ("Bob Clark", K.EARLY_EXIT),
        ("Ann Brown", K.ABSENT),
        ("Zoe Adams", K.LATE),
        ("Cid Drake", K.ABSENT),
    ]
    assert digest.counts[K.LATE] == 2 and digest.counts[K.ABSENT] == 2 and digest.counts[K.EARLY_EXIT] == 2
    assert digest.rows[4].minutes == 12 and digest.rows[4].code == "E1"
    assert digest.exception_count == 6 and not digest.is_quiet


def test_an_employee_missing_from_the_directory_is_listed_by_id():
    digest = build_digest(date=DAY, results=[row(42, status=S.ABSENT)], employees=EMPLOYEES)
    assert [(g.department_name, [r.full_name for r in g.rows]) for g in digest.groups] == [(None, ["#42"])]


def test_unknown_device_users_are_one_row_per_device_user():
    punches = [
        UnknownPunch(2, "77", T + timedelta(hours=9), "Warehouse"),
        UnknownPunch(1, "77", T, "Front door"),
        UnknownPunch(2, "77", T, "Warehouse"),
        UnknownPunch(2, "5", T + timedelta(hours=1), "Warehouse"),
    ]
    digest = build_digest(date=DAY, results=[], employees=EMPLOYEES, unknown_punches=punches)
    assert [(u.device_name, u.device_user_id, u.punch_count) for u in digest.unknown_users] == [
        ("Front door", "77", 1),
        ("Warehouse", "5", 1),
        ("Warehouse", "77", 2),
    ]
    assert digest.unknown_users[2].first_instant == T and digest.unknown_users[2].last_instant == T + timedelta(hours=9)
    assert digest.counts[K.UNKNOWN_USER] == 3 and not digest.is_quiet


def leave(employee_id=2, start=DAY, end=DAY, **fields) -> ApprovedLeave:
    return ApprovedLeave(100 + employee_id, employee_id, "Vacation", start, end, **fields)


FRIDAY, SATURDAY, MONDAY = date(2026, 5, 8), date(2026, 5, 9), date(2026, 5, 11)

# (id, leave, work week, holidays, expected return date)
# fmt: off
RETURNS = [
    ("a one-day leave returns the next working day", leave(end=DAY), "12345", (), date(2026, 5, 5)),
    ("a leave ending on Friday returns on Monday", leave(end=FRIDAY), "12345", (), MONDAY),
    ("a six-day week returns on Saturday", leave(end=FRIDAY), "123456", (), SATURDAY),
    ("a holiday on Monday pushes the return to Tuesday", leave(end=FRIDAY), "12345", {MONDAY}, date(2026, 5, 12)),
    ("a leave ending at noon returns the same afternoon", leave(end=FRIDAY, end_half=HalfDay.MORNING), "12345", (),
     FRIDAY),
]
# fmt: on


@pytest.mark.parametrize(("leave_", "week", "holidays", "expected"), [c[1:] for c in RETURNS],
                         ids=[c[0] for c in RETURNS])  # fmt: skip
def test_return_date(leave_, week, holidays, expected):
    assert return_date(leave_, week, holidays) == expected


def test_who_is_out_lists_approved_leave_covering_today_with_type_and_return():
    leaves = [
        leave(1, DAY - timedelta(days=3), DAY + timedelta(days=1)),
        leave(3, DAY, DAY, start_half=HalfDay.AFTERNOON),
        leave(5, DAY - timedelta(days=1), DAY, end_half=HalfDay.MORNING),
        leave(2, DAY + timedelta(days=1), DAY + timedelta(days=2)),  # not today
    ]
    digest = build_digest(date=DAY - timedelta(days=1), today=DAY, results=[], employees=EMPLOYEES, leaves=leaves)
    assert [(o.full_name, o.leave_type, o.return_date, o.half) for o in digest.who_is_out] == [
        ("dan early", "Vacation", DAY, HalfDay.MORNING),
        ("Bob Clark", "Vacation", date(2026, 5, 5), HalfDay.AFTERNOON),
        ("Zoe Adams", "Vacation", date(2026, 5, 6), None),
    ]
    assert digest.who_is_out[2].leave_request_id == 101
    assert digest.exception_count == 0 and not digest.is_quiet


def test_who_is_out_gives_hourly_leave_its_range_and_lets_a_day_of_leave_the_same_day_win():
    starts, ends = datetime(2026, 5, 4, 8, tzinfo=UTC), datetime(2026, 5, 4, 10, tzinfo=UTC)
    hourly = ApprovedLeave(201, 1, "Doctor", DAY, DAY, starts_at=starts, ends_at=ends)
    also_a_day = ApprovedLeave(203, 3, "Doctor", DAY, DAY, starts_at=starts, ends_at=ends)
    leaves = [hourly, also_a_day, leave(3, DAY, DAY)]
    digest = build_digest(date=DAY - timedelta(days=1), today=DAY, results=[], employees=EMPLOYEES, leaves=leaves)
    assert [(o.full_name, o.leave_request_id, o.hours, o.return_date) for o in digest.who_is_out] == [
        ("Bob Clark", 103, None, date(2026, 5, 5)),
        ("Zoe Adams", 201, (starts, ends), DAY),  # back the same day, after the hours
    ]


# fmt: off
QUIET = [
    ("a day with nothing to report is quiet", {}, True),
    ("only on-time rows and leave rows are quiet", {"results": [row(), row(2, status=S.ON_LEAVE)]}, True),
    ("an exception is not quiet", {"results": [row(status=S.ABSENT)]}, False),
    ("an offline device is not quiet", {"offline_devices": [OfflineDevice(1, "Front door")]}, False),
    ("a dead outbox message is not quiet", {"dead_outbox": 1}, False),
    ("somebody out today is not quiet", {"leaves": [leave()]}, False),
]
# fmt: on


@pytest.mark.parametrize(("inputs", "quiet"), [c[1:] for c in QUIET], ids=[c[0] for c in QUIET])
def test_is_quiet(inputs, quiet):
    digest = build_digest(date=DAY, employees=EMPLOYEES, **{"results": [], **inputs})
    assert digest.is_quiet is quiet


def test_offline_devices_are_sorted_by_name_and_dead_outbox_is_carried():
    devices = [OfflineDevice(2, "warehouse"), OfflineDevice(1, "Front door")]
    digest = build_digest(date=DAY, results=[], employees=EMPLOYEES, offline_devices=devices, dead_outbox=3)
    assert [d.name for d in digest.offline_devices] == ["Front door", "warehouse"] and digest.dead_outbox == 3


def test_every_kind_has_a_count_even_when_zero():
    digest = build_digest(date=DAY, results=[], employees=EMPLOYEES)
    assert digest.counts == dict.fromkeys(DigestKind, 0) and digest.is_quiet


def test_kind_codes_are_stable():
    assert [k.value for k in DigestKind] == [
        "absent", "absent_half", "late", "early_exit", "missing_checkout", "missing_checkin", "half_day",
        "unscheduled", "unknown_user",
    ]  # fmt: skip


minutes = st.integers(min_value=0, max_value=300)
results = st.builds(
    DayResult,
    employee_id=st.integers(min_value=1, max_value=8),
    date=st.just(DAY),
    status=st.sampled_from(S),
    first_in=st.none() | st.just(T),
    last_out=st.none() | st.just(T + timedelta(hours=8)),
    worked_minutes=minutes,
    late_minutes=minutes,
    early_exit_minutes=minutes,
    punch_count=st.integers(min_value=0, max_value=4),
    is_final=st.booleans(),
    unscheduled_punches=st.integers(min_value=0, max_value=2),
)
unknown = st.builds(
    UnknownPunch,
    device_id=st.integers(min_value=1, max_value=3),
    device_user_id=st.sampled_from(["1", "2", "9"]),
    instant=st.just(T),
    device_name=st.sampled_from(["A", "B"]),
)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(results, max_size=30), strays=st.lists(unknown, max_size=10))
def test_property_counts_equal_the_number_of_exception_rows(rows, strays):
    digest = build_digest(date=DAY, results=rows, employees=EMPLOYEES, unknown_punches=strays)
    for kind in DigestKind:
        listed = len(digest.unknown_users) if kind is K.UNKNOWN_USER else sum(r.kind is kind for r in digest.rows)
        assert digest.counts[kind] == listed
    assert sum(len(exceptions_of(r)) for r in rows) == len(digest.rows)
    assert digest.not_over_ids == {r.employee_id for r in rows if not r.is_final}
    assert digest.is_quiet is (digest.exception_count == 0 and digest.not_over == 0)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(results, max_size=30))
def test_property_a_day_that_is_not_over_is_never_called_absent(rows):
    digest = build_digest(date=DAY, results=rows, employees=EMPLOYEES)
    final = {r.employee_id for r in rows if r.is_final}
    provisional_only = {r.employee_id for r in rows if not r.is_final} - final
    certain = {K.LATE, K.UNSCHEDULED}
    assert all(r.kind in certain for r in digest.rows if r.employee_id in provisional_only)


def test_at_three_in_the_morning_nobody_is_absent_yet():
    rows = [DayResult(e, DAY, S.ABSENT) for e in (1, 2, 3)]  # processed early: not final
    digest = build_digest(date=DAY, results=rows, employees=EMPLOYEES)
    assert digest.rows == () and digest.not_over == 3 and digest.so_far and not digest.is_quiet


def test_lateness_is_reported_while_the_day_is_not_over():
    digest = build_digest(date=DAY, results=[row(late_minutes=25, is_final=False, last_out=None)],
                          employees=EMPLOYEES)  # fmt: skip
    assert [(r.kind, r.minutes) for r in digest.rows] == [(K.LATE, 25)]


def test_punches_outside_the_shift_window_are_flagged_as_unscheduled_work():
    digest = build_digest(date=DAY, results=[row(unscheduled_punches=1)], employees=EMPLOYEES)
    assert [r.kind for r in digest.rows] == [K.UNSCHEDULED]
