"""The inline calendar as data: CLDR month and weekday names, weeks from Monday, days off marked, paging bounds."""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import format_skeleton, get_day_names

from chronos_bot import callbacks
from chronos_bot.calendar import (
    APPROVED_MARK,
    BLANK,
    DAY_OFF_MARK,
    PENDING_MARK,
    STRIKE,
    add_months,
    day_label,
    days_off_in,
    month_grid,
    pickable_days,
)
from shared.domain.leave import WorkCalendar
from shared.i18n import translator

WEEKENDS = WorkCalendar("12345", frozenset({date(2026, 12, 25)}))


def grid(locale: str = "en", year: int = 2026, month: int = 12, **kwargs: object) -> list:
    return month_grid(translator(locale), year, month, is_day_off=lambda d: not WEEKENDS.is_working_day(d), **kwargs)


@pytest.mark.parametrize("locale", ["en", "ru", "ar"])
def test_the_title_and_weekdays_are_cldr_names_in_the_readers_language(locale: str) -> None:
    rows = grid(locale)
    month = format_skeleton("yMMMM", date(2026, 12, 1), locale=locale)
    days = get_day_names("short", context="stand-alone", locale=locale)
    assert rows[0][1].text == month
    assert [c.text for c in rows[1]] == [days[i] for i in range(7)]


def test_russian_and_arabic_names_are_not_english() -> None:
    assert grid("ru")[0][1].text == "декабрь 2026\u202fг."  # CLDR's yMMMM
    assert grid("ar")[0][1].text.endswith(" 2026") and grid("ar")[0][1].text != "December 2026"
    assert [c.text for c in grid("ru")[1]][:2] == ["пн", "вт"]


def test_weeks_start_on_monday_with_blanks_before_the_first() -> None:
    rows = grid()
    first_week = rows[2]
    assert [c.text for c in first_week[:2]] == [BLANK, "1"]  # 1 December 2026 is a Tuesday
    assert first_week[0].data == callbacks.CALENDAR_NOOP
    assert first_week[1].data == "cal:d:20261201"
    assert all(len(row) == 7 for row in rows[1:])


def test_weekends_and_holidays_are_marked_as_days_off() -> None:
    rows = grid()
    assert days_off_in(rows) == [5, 6, 12, 13, 19, 20, 25, 26, 27]
    assert day_label(date(2026, 12, 5), day_off=True, today=None) == f"{DAY_OFF_MARK}5"


def test_a_day_off_is_marked_and_does_not_pick() -> None:
    saturday = next(c for row in grid()[2:] for c in row if c.text == f"{DAY_OFF_MARK}5")
    assert callbacks.decode(saturday.data) == callbacks.Callback("blocked")
    assert 5 not in pickable_days(grid()) and 7 in pickable_days(grid())


def test_days_before_the_earliest_are_struck_through_and_do_not_pick() -> None:
    rows = grid(earliest=date(2026, 12, 9))
    assert pickable_days(rows)[0] == 9
    eighth = next(c for row in rows[2:] for c in row if c.text.replace(STRIKE, "") == "8")
    assert eighth.text == f"8{STRIKE}" and callbacks.decode(eighth.data) == callbacks.Callback("blocked")


def test_days_already_on_leave_are_marked_and_do_not_pick() -> None:
    rows = grid(marks={date(2026, 12, 14): APPROVED_MARK, date(2026, 12, 15): PENDING_MARK})
    labels = {c.text for row in rows[2:] for c in row}
    assert f"{APPROVED_MARK}14" in labels and f"{PENDING_MARK}15" in labels
    assert 14 not in pickable_days(rows) and 15 not in pickable_days(rows) and 16 in pickable_days(rows)


def test_today_is_bracketed() -> None:
    rows = grid(today=date(2026, 12, 8))
    assert any(c.text == "[8]" for row in rows for c in row)


def test_paging_stays_within_the_bounds() -> None:
    open_rows = grid()
    assert open_rows[0][0].data == "cal:m:202611" and open_rows[0][2].data == "cal:m:202701"
    bounded = grid(first=(2026, 12), last=(2026, 12))
    assert bounded[0][0].data == bounded[0][2].data == callbacks.CALENDAR_NOOP


@pytest.mark.parametrize(
    ("year", "month", "delta", "expected"),
    [(2026, 12, 1, (2027, 1)), (2026, 1, -1, (2025, 12)), (2026, 5, 12, (2027, 5)), (2026, 5, 0, (2026, 5))],
)
def test_add_months_wraps_years(year: int, month: int, delta: int, expected: tuple[int, int]) -> None:
    assert add_months(year, month, delta) == expected


def test_every_button_fits_telegrams_64_bytes() -> None:
    assert all(len(c.data.encode()) <= 64 for row in grid() for c in row)
