"""The inline date picker as pure data: month title and weekday names from Babel (CLDR), days off marked.

``month_grid`` returns rows of :class:`Cell` (label + callback data); ``keyboards.inline`` turns them
into Telegram buttons. Weeks start on Monday (``date.weekday()``). A day off (weekend of the employee's
work week or a holiday of their calendar) is still pickable: leave may span it, and the rules count
only working days.
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from chronos_bot import callbacks
from shared.i18n import Translator

DAY_OFF_MARK = "•"
BLANK = " "
PREVIOUS, NEXT = "«", "»"


@dataclass(frozen=True)
class Cell:
    text: str
    data: str


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month_title(t: Translator, year: int, month: int) -> str:
    """CLDR's stand-alone month name and the year: "December 2026", "декабрь 2026", "ديسمبر 2026"."""
    return f"{t.month_name(month)} {year}"


def day_label(day: date, *, day_off: bool, today: date | None) -> str:
    text = f"{DAY_OFF_MARK}{day.day}" if day_off else str(day.day)
    return f"[{text}]" if day == today else text


def month_grid(
    t: Translator,
    year: int,
    month: int,
    *,
    is_day_off: Callable[[date], bool],
    today: date | None = None,
    first: tuple[int, int] | None = None,
    last: tuple[int, int] | None = None,
) -> list[list[Cell]]:
    """Title row with «/» (only within [first, last]), weekday names, then one row per week."""
    noop = callbacks.CALENDAR_NOOP
    previous = add_months(year, month, -1)
    following = add_months(year, month, 1)
    back = Cell(PREVIOUS, callbacks.calendar_month(*previous)) if first is None or previous >= first else None
    ahead = Cell(NEXT, callbacks.calendar_month(*following)) if last is None or following <= last else None
    rows = [
        [back or Cell(BLANK, noop), Cell(month_title(t, year, month), noop), ahead or Cell(BLANK, noop)],
        [Cell(name, noop) for name in t.weekday_names()],
    ]
    for week in stdlib_calendar.Calendar(firstweekday=0).monthdayscalendar(year, month):
        row = []
        for number in week:
            if number == 0:
                row.append(Cell(BLANK, noop))
                continue
            day = date(year, month, number)
            row.append(Cell(day_label(day, day_off=is_day_off(day), today=today), callbacks.calendar_day(day)))
        rows.append(row)
    return rows


def days_off_in(grid: list[list[Cell]]) -> list[int]:
    """The day numbers marked as days off in a grid (what a reader of the keyboard sees)."""
    found = []
    for row in grid[2:]:
        for cell in row:
            label = cell.text.strip("[]")
            if label.startswith(DAY_OFF_MARK):
                found.append(int(label.removeprefix(DAY_OFF_MARK)))
    return found
