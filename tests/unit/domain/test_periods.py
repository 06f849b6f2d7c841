"""Periods people ask /whosout about: words, ISO dates and ranges; bad input is a translated error."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.periods import (
    BACKWARDS,
    BAD_MONTH,
    BAD_PERIOD,
    MAX_PERIOD_DAYS,
    OUT_OF_RANGE,
    TOO_LONG,
    PeriodWord,
    parse_month,
    parse_period,
)
from shared.errors import Invalid

THURSDAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("", date(2026, 11, 30), date(2026, 12, 6)),
        ("this week", date(2026, 11, 30), date(2026, 12, 6)),
        ("next week", date(2026, 12, 7), date(2026, 12, 13)),
        ("  Next   WEEK ", date(2026, 12, 7), date(2026, 12, 13)),
        ("today", THURSDAY, THURSDAY),
        ("tomorrow", date(2026, 12, 4), date(2026, 12, 4)),
        ("this month", date(2026, 12, 1), date(2026, 12, 31)),
        ("next month", date(2027, 1, 1), date(2027, 1, 31)),
        ("2026-12-21..2026-12-31", date(2026, 12, 21), date(2026, 12, 31)),
        ("2026-12-21 .. 2026-12-31", date(2026, 12, 21), date(2026, 12, 31)),
        ("2026-12-21–2026-12-31", date(2026, 12, 21), date(2026, 12, 31)),
        ("2026-12-24", date(2026, 12, 24), date(2026, 12, 24)),
        ("2027-02", date(2027, 2, 1), date(2027, 2, 28)),
    ],
)
def test_a_period_is_named_by_a_word_a_date_a_month_or_a_range(text: str, start: date, end: date) -> None:
    period = parse_period(text, today=THURSDAY)
    assert (period.start, period.end) == (start, end)


def test_words_are_remembered_so_the_title_can_say_them() -> None:
    assert parse_period("next week", today=THURSDAY).word is PeriodWord.NEXT_WEEK
    assert parse_period("2026-12-24", today=THURSDAY).word is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("yesterday-ish", BAD_PERIOD),
        ("2026-13-01", BAD_PERIOD),
        ("2026-12-21..", BAD_PERIOD),
        ("2026-02-30..2026-03-02", BAD_PERIOD),
        ("2026-12-31..2026-12-21", BACKWARDS),
        ("2026-01-01..2026-12-31", TOO_LONG),
        ("1999-12-31", OUT_OF_RANGE),
        ("2101-01", OUT_OF_RANGE),
    ],
)
def test_a_bad_period_is_refused_with_a_message_that_says_what_to_write(text: str, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        parse_period(text, today=THURSDAY)
    assert refused.value.message == message


def test_next_week_starts_on_the_monday_after_this_one_whatever_the_day() -> None:
    for offset in range(7):
        day = date(2026, 11, 30) + timedelta(days=offset)
        assert parse_period("next week", today=day).start == date(2026, 12, 7)


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 9, 30)),
    length=st.integers(min_value=1, max_value=MAX_PERIOD_DAYS),
)
def test_every_range_within_the_limits_reads_back_as_itself(start: date, length: int) -> None:
    end = start + timedelta(days=length - 1)
    period = parse_period(f"{start.isoformat()}..{end.isoformat()}", today=THURSDAY)
    assert (period.start, period.end, period.days) == (start, end, length)


def test_a_month_for_the_calendar_is_this_one_by_default_or_written_yyyy_mm() -> None:
    assert parse_month("", today=THURSDAY) == (2026, 12)
    assert parse_month("next month", today=THURSDAY) == (2027, 1)
    assert parse_month("2027-03", today=THURSDAY) == (2027, 3)
    for bad in ("March", "2027-3", "2027-00", "1999-12"):
        with pytest.raises(Invalid) as refused:
            parse_month(bad, today=THURSDAY)
        assert refused.value.message == BAD_MONTH


def test_the_readers_own_words_name_the_same_periods() -> None:
    aliases = {"следующая неделя": PeriodWord.NEXT_WEEK, "الشهر القادم": PeriodWord.NEXT_MONTH}
    assert parse_period("Следующая  неделя", today=THURSDAY, aliases=aliases).start == date(2026, 12, 7)
    assert parse_period("الشهر القادم", today=THURSDAY, aliases=aliases).end == date(2027, 1, 31)
    assert parse_month("الشهر القادم", today=THURSDAY, aliases=aliases) == (2027, 1)
    with pytest.raises(Invalid):
        parse_period("следующий год", today=THURSDAY, aliases=aliases)
