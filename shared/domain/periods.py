"""Periods people ask about ("next week", "this month", "2026-12-21..2026-12-31"), as date ranges.

Pure: ``today`` is passed in. Words are English keywords, plus the reader's own words for them (``aliases``,
the translations of ``WORD_LABELS`` the bot passes in: "следующая неделя", "الأسبوع القادم"); dates are ISO
(``YYYY-MM-DD``, or ``YYYY-MM`` for a month).
A range is at most ``MAX_PERIOD_DAYS`` long and lies within the bounded dates every rule uses.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from shared.errors import N_, NC_, Invalid

MAX_PERIOD_DAYS = 92
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2100, 12, 31)
RANGE_SEPARATORS = ("..", "—", "–")

BAD_PERIOD = N_(
    "I did not understand the period {text}. Use today, tomorrow, this week, next week, this month, "
    "next month, a month like 2026-12, a date like 2026-12-24 or a range like 2026-12-21..2026-12-31."
)
BACKWARDS = N_("The period ends on {end}, before it starts on {start}; give the earlier date first.")
TOO_LONG = N_("A period can be at most {days} days long; ask about a shorter one.")
OUT_OF_RANGE = N_("Dates must lie between 2000-01-01 and 2100-12-31.")


class PeriodWord(enum.StrEnum):
    TODAY = "today"
    TOMORROW = "tomorrow"
    THIS_WEEK = "this week"
    NEXT_WEEK = "next week"
    THIS_MONTH = "this month"
    NEXT_MONTH = "next month"


WORD_LABELS: dict[PeriodWord, tuple[str, str]] = {
    PeriodWord.TODAY: NC_("period", "today"),
    PeriodWord.TOMORROW: NC_("period", "tomorrow"),
    PeriodWord.THIS_WEEK: NC_("period", "this week"),
    PeriodWord.NEXT_WEEK: NC_("period", "next week"),
    PeriodWord.THIS_MONTH: NC_("period", "this month"),
    PeriodWord.NEXT_MONTH: NC_("period", "next month"),
}


def normalized(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split())


@dataclass(frozen=True)
class Period:
    """Days ``start`` … ``end`` (both included); ``word`` when it was named by a keyword."""

    start: date
    end: date
    word: PeriodWord | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def word_period(word: PeriodWord, *, today: date) -> Period:
    """The dates a keyword names, seen from ``today`` (weeks start on Monday)."""
    if word is PeriodWord.TODAY:
        return Period(today, today, word)
    if word is PeriodWord.TOMORROW:
        tomorrow = today + timedelta(days=1)
        return Period(tomorrow, tomorrow, word)
    if word is PeriodWord.THIS_WEEK:
        return Period(*week_of(today), word)
    if word is PeriodWord.NEXT_WEEK:
        return Period(*week_of(today + timedelta(days=7)), word)
    year, month = (today.year, today.month) if word is PeriodWord.THIS_MONTH else add_months(today.year, today.month, 1)
    return Period(*month_bounds(year, month), word)


def _iso_day(text: str) -> date | None:
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _iso_month(text: str) -> tuple[date, date] | None:
    year, dash, month = text.partition("-")
    if not dash or len(year) != 4 or len(month) != 2 or not (year.isdigit() and month.isdigit()):
        return None
    if not 1 <= int(month) <= 12 or int(year) < 1:
        return None
    return month_bounds(int(year), int(month))


BAD_MONTH = N_("I did not understand the month {text}; write it like 2026-12.")


def parse_month(text: str, *, today: date, aliases: Mapping[str, PeriodWord] | None = None) -> tuple[int, int]:
    """``YYYY-MM`` (empty: this month; ``next month`` / ``this month`` too, or their ``aliases``) as (year, month)."""
    words = normalized(text)
    word = {normalized(k): v for k, v in (aliases or {}).items()}.get(words) or words
    if not words or word == PeriodWord.THIS_MONTH:
        return today.year, today.month
    if word == PeriodWord.NEXT_MONTH:
        return add_months(today.year, today.month, 1)
    bounds = _iso_month(words.replace(" ", ""))
    if bounds is None or not FIRST_DATE.year <= bounds[0].year <= LAST_DATE.year:
        raise Invalid(BAD_MONTH, text=text.strip()[:20])
    return bounds[0].year, bounds[0].month


def _checked(start: date, end: date, word: PeriodWord | None = None) -> Period:
    if end < start:
        raise Invalid(BACKWARDS, start=start, end=end)
    if start < FIRST_DATE or end > LAST_DATE:
        raise Invalid(OUT_OF_RANGE)
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise Invalid(TOO_LONG, days=MAX_PERIOD_DAYS)
    return Period(start, end, word)


def parse_period(text: str, *, today: date, aliases: Mapping[str, PeriodWord] | None = None) -> Period:
    """The period ``text`` names; empty text is this week. Raises ``Invalid`` (translated) otherwise.
    ``aliases``: other words for the keywords ({"следующая неделя": NEXT_WEEK}), matched case-insensitively."""
    words = normalized(text)
    if not words:
        return word_period(PeriodWord.THIS_WEEK, today=today)
    own = {normalized(k): v for k, v in (aliases or {}).items()}
    if words in own:
        return word_period(own[words], today=today)
    try:
        return word_period(PeriodWord(words), today=today)
    except ValueError:
        pass
    compact = words.replace(" ", "")
    for separator in RANGE_SEPARATORS:
        if separator in compact:
            first, _, last = compact.partition(separator)
            start, end = _iso_day(first), _iso_day(last)
            if start is None or end is None:
                raise Invalid(BAD_PERIOD, text=text.strip()[:60])
            return _checked(start, end)
    if (day := _iso_day(compact)) is not None:
        return _checked(day, day)
    if (bounds := _iso_month(compact)) is not None:
        return _checked(*bounds)
    raise Invalid(BAD_PERIOD, text=text.strip()[:60])
