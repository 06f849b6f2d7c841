"""Working days of a leave request: weekends, holidays, half days, work weeks, leap years."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.enums import HalfDay
from shared.domain.leave import (
    LeaveSpan,
    RuleViolated,
    Step,
    WorkCalendar,
    halves_on,
    span_violations,
    spans_overlap,
    working_days,
)

AM, PM = HalfDay.MORNING, HalfDay.AFTERNOON
MON = date(2025, 3, 3)  # a Monday; the week runs to Sunday 2025-03-09
WEEKDAYS = WorkCalendar("12345")


def d(offset: int) -> date:
    return MON + timedelta(days=offset)


@pytest.mark.parametrize(
    ("span", "calendar", "expected"),
    [
        (LeaveSpan(d(0), d(0)), WEEKDAYS, "1"),
        (LeaveSpan(d(0), d(4)), WEEKDAYS, "5"),
        (LeaveSpan(d(0), d(6)), WEEKDAYS, "5"),
        (LeaveSpan(d(4), d(7)), WEEKDAYS, "2"),
        (LeaveSpan(d(0), d(13)), WEEKDAYS, "10"),
        (LeaveSpan(d(0), d(0), AM, AM), WEEKDAYS, "0.5"),
        (LeaveSpan(d(0), d(0), PM, PM), WEEKDAYS, "0.5"),
        (LeaveSpan(d(0), d(4), PM, None), WEEKDAYS, "4.5"),
        (LeaveSpan(d(0), d(4), None, AM), WEEKDAYS, "4.5"),
        (LeaveSpan(d(0), d(4), PM, AM), WEEKDAYS, "4"),
        (LeaveSpan(d(0), d(1), PM, AM), WEEKDAYS, "1"),
        (LeaveSpan(d(4), d(7), PM, AM), WEEKDAYS, "1"),
        (LeaveSpan(d(5), d(7), PM, None), WEEKDAYS, "1"),
        (LeaveSpan(d(2), d(6), None, AM), WEEKDAYS, "3"),
        (LeaveSpan(d(0), d(4)), WorkCalendar("12345", frozenset({d(2)})), "4"),
        (LeaveSpan(d(0), d(4), PM, None), WorkCalendar("12345", frozenset({d(0)})), "4"),
        (LeaveSpan(d(0), d(4)), WorkCalendar("12345", frozenset({d(5)})), "5"),
        (LeaveSpan(d(0), d(6)), WorkCalendar("123456"), "6"),
        (LeaveSpan(d(5), d(5)), WorkCalendar("123456"), "1"),
        (LeaveSpan(d(0), d(6)), WorkCalendar("7123"), "4"),
        (LeaveSpan(d(3), d(6)), WorkCalendar("7123"), "1"),
        (LeaveSpan(d(6), d(6), AM, AM), WorkCalendar("7123"), "0.5"),
        (LeaveSpan(d(0), d(6)), WorkCalendar("1234567"), "7"),
        (LeaveSpan(date(2024, 2, 26), date(2024, 3, 3)), WEEKDAYS, "5"),
        (LeaveSpan(date(2024, 1, 1), date(2024, 12, 31)), WorkCalendar("1234567"), "366"),
        (LeaveSpan(date(2025, 1, 1), date(2025, 12, 31)), WorkCalendar("1234567"), "365"),
        (LeaveSpan(date(2025, 12, 29), date(2026, 1, 2)), WorkCalendar("12345", frozenset({date(2026, 1, 1)})), "4"),
    ],
    ids=[
        "a single working day counts one",
        "monday to friday counts five",
        "a whole week counts only the five weekdays",
        "friday to monday skips the weekend",
        "two weeks count ten",
        "a morning on a single day counts half",
        "an afternoon on a single day counts half",
        "starting after lunch takes half a day off the first day",
        "ending at lunch takes half a day off the last day",
        "half days at both ends count half each",
        "monday afternoon to tuesday morning counts one",
        "friday afternoon to monday morning counts one",
        "a half day that starts on a saturday counts nothing for it",
        "a half day that ends on a sunday counts nothing for it",
        "a holiday inside the request is not counted",
        "a half day on a holiday counts nothing",
        "a holiday on a weekend changes nothing",
        "a six day week counts saturday",
        "a saturday counts in a six day week",
        "a sunday to wednesday week counts four days of a calendar week",
        "thursday to sunday counts only sunday in a sunday to wednesday week",
        "a sunday morning counts half in a sunday to wednesday week",
        "a seven day week counts every day",
        "a leap year february week counts five with the 29th",
        "a whole leap year counts 366 days for a seven day week",
        "a whole common year counts 365 days for a seven day week",
        "a request across new year skips the new year holiday",
    ],
)
def test_working_days(span: LeaveSpan, calendar: WorkCalendar, expected: str) -> None:
    assert working_days(span, calendar) == Decimal(expected)


@pytest.mark.parametrize(
    ("span", "calendar"),
    [
        (LeaveSpan(d(5), d(6)), WEEKDAYS),
        (LeaveSpan(d(5), d(5), AM, AM), WEEKDAYS),
        (LeaveSpan(d(2), d(2)), WorkCalendar("12345", frozenset({d(2)}))),
        (LeaveSpan(d(4), d(7), PM, AM), WorkCalendar("12345", frozenset({d(4), d(7)}))),
        (LeaveSpan(d(4), d(5)), WorkCalendar("7123")),
        (LeaveSpan(d(0), d(6)), WorkCalendar("")),
    ],
    ids=[
        "a weekend only request counts zero",
        "a saturday morning counts zero",
        "a single holiday counts zero",
        "half days on a holiday friday and a holiday monday around a weekend count zero",
        "friday and saturday count zero in a sunday to wednesday week",
        "an empty work week has no working days",
    ],
)
def test_requests_made_only_of_days_off_count_zero(span: LeaveSpan, calendar: WorkCalendar) -> None:
    assert working_days(span, calendar) == 0


@pytest.mark.parametrize(
    ("span", "codes"),
    [
        (LeaveSpan(d(1), d(0)), ["end_before_start"]),
        (LeaveSpan(d(0), d(0), AM, PM), ["half_day_mismatch"]),
        (LeaveSpan(d(0), d(0), AM, None), ["half_day_mismatch"]),
        (LeaveSpan(d(0), d(0), None, PM), ["half_day_mismatch"]),
        (LeaveSpan(d(0), d(2), AM, None), ["start_half_morning"]),
        (LeaveSpan(d(0), d(2), None, PM), ["end_half_afternoon"]),
        (LeaveSpan(d(0), d(2), AM, PM), ["start_half_morning", "end_half_afternoon"]),
        (LeaveSpan(date(2024, 1, 1), date(2025, 1, 1)), ["span_too_long"]),
        (LeaveSpan(date(2024, 1, 1), date(2024, 12, 31)), []),
        (LeaveSpan(date(2025, 1, 1), date(2026, 1, 1)), []),
        (LeaveSpan(d(0), d(1), PM, AM), []),
        (LeaveSpan(d(0), d(0), PM, PM), []),
    ],
    ids=[
        "an end before the start is refused",
        "morning then afternoon on one day is refused",
        "a half at the start only of one day is refused",
        "a half at the end only of one day is refused",
        "a multi day request starting in the morning is refused",
        "a multi day request ending in the afternoon is refused",
        "both wrong halves give two reasons",
        "367 days is too long",
        "a whole leap year of 366 days is allowed",
        "366 days across a year boundary is allowed",
        "afternoon start and morning end is valid",
        "one afternoon is valid",
    ],
)
def test_span_shape(span: LeaveSpan, codes: list[str]) -> None:
    assert [v.code for v in span_violations(span)] == codes


def test_half_day_reasons_point_at_the_half_day_step() -> None:
    (violation,) = span_violations(LeaveSpan(d(0), d(2), AM, None))
    assert violation.field == Step.HALF_DAY


def test_too_long_is_counted_with_a_plural_form() -> None:
    (violation,) = span_violations(LeaveSpan(date(2024, 1, 1), date(2025, 1, 1)))
    assert (violation.n, violation.plural) == (366, "A leave request can cover at most {n} days.")
    assert str(violation.as_error()) == "A leave request can cover at most 366 day."


def test_counting_an_invalid_span_raises_with_the_violation() -> None:
    with pytest.raises(RuleViolated) as caught:
        working_days(LeaveSpan(d(1), d(0)), WEEKDAYS)
    assert caught.value.code == "end_before_start"
    assert caught.value.violation.field == Step.DATES


def test_a_work_week_with_other_characters_is_rejected() -> None:
    with pytest.raises(ValueError):
        WorkCalendar("1-5")


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (LeaveSpan(d(0), d(0), AM, AM), LeaveSpan(d(0), d(0), PM, PM), False),
        (LeaveSpan(d(0), d(0), AM, AM), LeaveSpan(d(0), d(0), AM, AM), True),
        (LeaveSpan(d(0), d(0)), LeaveSpan(d(0), d(0), PM, PM), True),
        (LeaveSpan(d(0), d(2), None, AM), LeaveSpan(d(2), d(4), PM, None), False),
        (LeaveSpan(d(0), d(2)), LeaveSpan(d(2), d(4), PM, None), True),
        (LeaveSpan(d(0), d(2), None, AM), LeaveSpan(d(2), d(2), AM, AM), True),
        (LeaveSpan(d(0), d(1)), LeaveSpan(d(2), d(3)), False),
        (LeaveSpan(d(0), d(9)), LeaveSpan(d(3), d(4)), True),
        (LeaveSpan(d(0), d(4), PM, AM), LeaveSpan(d(0), d(4), PM, AM), True),
        (LeaveSpan(d(0), d(1), PM, None), LeaveSpan(d(0), d(0), AM, AM), False),
    ],
    ids=[
        "a morning and an afternoon of the same day do not overlap",
        "two mornings of the same day overlap",
        "a full day overlaps an afternoon",
        "ending at lunch and starting after lunch on the same day do not overlap",
        "a full last day overlaps an afternoon start",
        "ending at lunch overlaps a morning on that day",
        "adjacent ranges do not overlap",
        "a range inside another overlaps",
        "identical ranges with half days overlap",
        "an afternoon start does not overlap a morning on that day",
    ],
)
def test_spans_overlap(a: LeaveSpan, b: LeaveSpan, overlap: bool) -> None:
    assert spans_overlap(a, b) is overlap
    assert spans_overlap(b, a) is overlap


def test_halves_outside_the_request_are_empty() -> None:
    assert halves_on(LeaveSpan(d(0), d(1)), d(2)) == frozenset()


# --- properties -------------------------------------------------------------------------------------

work_weeks = st.sets(st.sampled_from("1234567")).map(lambda s: "".join(sorted(s)))


@st.composite
def valid_spans(draw: st.DrawFn) -> LeaveSpan:
    start = draw(st.dates(date(2020, 1, 1), date(2030, 12, 31)))
    length = draw(st.integers(0, 400))
    end = start + timedelta(days=length)
    if length == 0:
        half = draw(st.sampled_from([None, AM, PM]))
        return LeaveSpan(start, end, half, half)
    return LeaveSpan(start, end, draw(st.sampled_from([None, PM])), draw(st.sampled_from([None, AM])))


@given(valid_spans(), work_weeks, st.frozensets(st.dates(date(2020, 1, 1), date(2032, 1, 31)), max_size=20))
def test_working_days_never_exceed_calendar_days_and_come_in_halves(
    span: LeaveSpan, week: str, holidays: frozenset[date]
) -> None:
    days = working_days(span, WorkCalendar(week, holidays))
    assert Decimal(0) <= days <= span.calendar_days
    assert (days * 2) % 1 == 0


@given(valid_spans(), work_weeks)
def test_adding_a_holiday_never_adds_working_days(span: LeaveSpan, week: str) -> None:
    calendar = WorkCalendar(week)
    with_holiday = WorkCalendar(week, frozenset({span.start_date}))
    assert working_days(span, with_holiday) <= working_days(span, calendar)


class EchoTranslator:
    """English as written: the singular for one, the plural otherwise."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "A leave request can cover at most 1 day."), (366, "A leave request can cover at most 366 days.")],
    ids=["one is rendered with the singular", "many are rendered with the plural"],
)
def test_a_counted_violation_renders_the_form_for_its_count(n: int, expected: str) -> None:
    (violation,) = span_violations(LeaveSpan(date(2024, 1, 1), date(2025, 1, 1)))
    counted = dataclasses.replace(violation, n=n, params={"n": n})
    assert counted.render(EchoTranslator()) == expected
