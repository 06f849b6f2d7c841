"""The inline date picker as pure data: month title and weekday names from Babel (CLDR), days off marked.

``month_grid`` returns rows of :class:`Cell` (label + callback data); ``keyboards.inline`` turns them
into Telegram buttons. Weeks start on Monday (``date.weekday()``).

Only a day that can start or end the leave is a button that picks: a day off (weekend of the employee's
work week or a holiday of their calendar) is marked ``•`` and not pickable (leave still spans it, and the
rules count only working days); a day before the earliest allowed one (the past, or before the first day)
is struck through; a day the employee already has leave on is marked ``✓`` (approved) or ``⏳`` (pending).
Those buttons answer with why the day cannot be picked.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from chronos_bot import callbacks
from shared.i18n import Translator

DAY_OFF_MARK = "•"
APPROVED_MARK, PENDING_MARK = "✓", "⏳"
STRIKE = "\u0336"  # combining long stroke overlay: "1̶2̶" reads as a crossed-out 12
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
    """The month and year in the locale's one style (``Translator.format_month``), not isolated: it is drawn in
    the calendar picture and written on buttons, which lay out their own text."""
    return t.format_month(year, month, isolate=False)


def day_label(day: date, *, day_off: bool, today: date | None, mark: str = "", too_early: bool = False) -> str:
    number = "".join(f"{digit}{STRIKE}" for digit in str(day.day)) if too_early else str(day.day)
    text = f"{mark or (DAY_OFF_MARK if day_off else '')}{number}"
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
    earliest: date | None = None,
    marks: Mapping[date, str] | None = None,
) -> list[list[Cell]]:
    """Title row with «/» (only within [first, last]), weekday names, then one row per week; days before
    ``earliest``, days off and days in ``marks`` (existing leave) do not pick."""
    noop = callbacks.CALENDAR_NOOP
    blocked = callbacks.CALENDAR_BLOCKED
    marks = marks or {}
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
            day_off, mark = is_day_off(day), marks.get(day, "")
            too_early = earliest is not None and day < earliest
            label = day_label(day, day_off=day_off, today=today, mark=mark, too_early=too_early)
            pickable = not (day_off or mark or too_early)
            row.append(Cell(label, callbacks.calendar_day(day) if pickable else blocked))
        rows.append(row)
    return rows


def days_off_in(grid: list[list[Cell]]) -> list[int]:
    """The day numbers marked as days off in a grid (what a reader of the keyboard sees)."""
    found = []
    for row in grid[2:]:
        for cell in row:
            label = cell.text.strip("[]").replace(STRIKE, "")
            if label.startswith(DAY_OFF_MARK):
                found.append(int(label.removeprefix(DAY_OFF_MARK)))
    return found


def pickable_days(grid: list[list[Cell]]) -> list[int]:
    """The day numbers of a grid whose buttons pick the day."""
    return [int(unicodedata.normalize("NFC", c.text.strip("[]"))) for row in grid[2:] for c in row
            if c.data.startswith("cal:d:")]  # fmt: skip
