"""Absences as a picture and as calendar events: the month grid and the feed entries (pure).

The grid has one row per person and one cell per day of the month. A cell says whether the person works
that day, is off (not in their work week), on a public holiday of their calendar, away on approved leave,
or has leave waiting for a decision, and whether it is only the morning or the afternoon, or only some hours
(hourly leave: the cell carries the time ranges, the day is not away as a whole). Leave types are
not in the grid at all: whoever sees a calendar sees "away" (the type is in the feed of the person
themselves, or for readers ``shared.domain.privacy`` entitles).

Feed entries carry a UID that depends only on what they describe (the leave request, the holiday), so a
calendar that subscribed sees an entry updated in place or cancelled, never a duplicate.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.domain.enums import FeedScope, HalfDay, LeaveStatus

__all__ = ["FeedScope"]  # re-exported: the scopes are part of the feeds' vocabulary


class CellKind(enum.StrEnum):
    WORK = "work"
    DAY_OFF = "off"
    HOLIDAY = "holiday"
    AWAY = "away"
    PENDING = "pending"


Hours = tuple[tuple[datetime, datetime], ...]  # time ranges (UTC) of hourly leave on one day, in order


@dataclass(frozen=True)
class Cell:
    kind: CellKind
    half: HalfDay | None = None  # only the morning / afternoon is away or pending
    hours: Hours = ()  # only these ranges are away or pending (hourly leave): a partial day

    @property
    def partial(self) -> bool:
        return bool(self.hours)


@dataclass(frozen=True)
class Absence:
    """A leave request as the calendar sees it."""

    request_id: int
    employee_id: int
    start: date
    end: date
    start_half: HalfDay | None
    end_half: HalfDay | None
    status: LeaveStatus
    type_name: str | None  # None: the reader sees "away"
    was_approved: bool = False  # decided as approved once (a cancellation then withdraws a shown event)
    starts_at: datetime | None = None  # hourly leave: the range (UTC) on ``start``; None for days
    ends_at: datetime | None = None

    @property
    def hours(self) -> tuple[datetime, datetime] | None:
        """The booked range of hourly leave (the person is away only then), None for whole or half days."""
        if self.starts_at is None or self.ends_at is None:
            return None
        return self.starts_at, self.ends_at

    def part_on(self, day: date) -> HalfDay | None:
        """The half of ``day`` it covers (None: all of it); ``day`` must be within it."""
        if self.start == self.end and self.start_half is not None:
            return self.start_half
        if day == self.start and self.start_half is HalfDay.AFTERNOON:
            return HalfDay.AFTERNOON
        if day == self.end and self.end_half is HalfDay.MORNING:
            return HalfDay.MORNING
        return None


@dataclass(frozen=True)
class Person:
    employee_id: int
    name: str
    work_week: str  # ISO weekdays worked, "12345" = Monday to Friday
    holidays: frozenset[date] = frozenset()


@dataclass(frozen=True)
class Row:
    employee_id: int
    name: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class MonthGrid:
    """One month of absences: ``days`` are the month's dates; each row has a cell per day."""

    year: int
    month: int
    title: str  # the group shown: a department's name, "my team" …
    days: tuple[date, ...]
    rows: tuple[Row, ...]
    holidays: dict[date, str]  # the company-wide view of the month's holidays (the header marks them)
    today: date | None = None

    @property
    def is_empty(self) -> bool:
        return not self.rows


def month_days(year: int, month: int) -> tuple[date, ...]:
    first = date(year, month, 1)
    days = []
    day = first
    while day.month == month:
        days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def cell_on(day: date, person: Person, absences: Sequence[Absence]) -> Cell:
    """What ``person``'s cell on ``day`` shows: approved leave wins over pending, both over a day off."""
    if day in person.holidays:
        return Cell(CellKind.HOLIDAY)
    if str(day.isoweekday()) not in person.work_week:
        return Cell(CellKind.DAY_OFF)
    covering = [a for a in absences if a.start <= day <= a.end and a.status in SHOWN]
    for status, kind in ((LeaveStatus.APPROVED, CellKind.AWAY), (LeaveStatus.PENDING, CellKind.PENDING)):
        found = [a for a in covering if a.status is status]
        days = [a for a in found if a.hours is None]
        if days:  # a whole or half day wins over hours the same day
            halves = {a.part_on(day) for a in days}
            half = None if None in halves or len(halves) > 1 else halves.pop()
            return Cell(kind, half)
        if found:  # only hourly leave: away for those hours, not for the day
            return Cell(kind, hours=tuple(sorted(h for a in found if (h := a.hours) is not None)))
    return Cell(CellKind.WORK)


SHOWN = frozenset({LeaveStatus.APPROVED, LeaveStatus.PENDING})


def build_month(
    *,
    year: int,
    month: int,
    title: str,
    people: Iterable[Person],
    absences: Iterable[Absence],
    holidays: dict[date, str],
    today: date | None = None,
) -> MonthGrid:
    """The grid of ``people`` (in the order given) for the month."""
    days = month_days(year, month)
    by_person: dict[int, list[Absence]] = {}
    for absence in absences:
        by_person.setdefault(absence.employee_id, []).append(absence)
    rows = tuple(
        Row(p.employee_id, p.name, tuple(cell_on(day, p, by_person.get(p.employee_id, [])) for day in days))
        for p in people
    )
    shown = {day: name for day, name in holidays.items() if day.year == year and day.month == month}
    return MonthGrid(year, month, title, days, rows, shown, today)


# ----------------------------------------------------------------------------------------- feed entries


@dataclass(frozen=True)
class FeedEntry:
    """One event of a feed: all-day from ``start`` to ``end`` (exclusive, iCalendar's DTEND of an all-day
    event), or timed from ``starts_at`` to ``ends_at`` (a shift)."""

    uid: str
    summary: str
    start: date
    end: date
    cancelled: bool = False
    tentative: bool = False
    sequence: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None


def leave_uid(request_id: int, domain: str) -> str:
    return f"leave-{request_id}@{domain}"


def holiday_uid(holiday_id: int, domain: str) -> str:
    return f"holiday-{holiday_id}@{domain}"


def shift_uid(employee_id: int, day: date, domain: str) -> str:
    return f"shift-{employee_id}-{day:%Y%m%d}@{domain}"


def half_label(absence: Absence) -> HalfDay | None:
    """The half a one-day request covers (shown in its summary), None for whole or longer requests."""
    return absence.start_half if absence.start == absence.end else None


def leave_entry(absence: Absence, *, summary: str, domain: str, sequence: int) -> FeedEntry:
    """The event of a request: cancelled (kept, so subscribers drop it) when rejected or cancelled; timed for
    hourly leave (the booked range), all-day otherwise."""
    hours = absence.hours
    return FeedEntry(
        uid=leave_uid(absence.request_id, domain),
        summary=summary,
        start=absence.start,
        end=absence.end + timedelta(days=1),
        cancelled=absence.status in (LeaveStatus.REJECTED, LeaveStatus.CANCELLED),
        tentative=absence.status is LeaveStatus.PENDING,
        sequence=sequence,
        starts_at=hours[0] if hours else None,
        ends_at=hours[1] if hours else None,
    )


def feed_shows(absence: Absence, *, own: bool) -> bool:
    """Whether a feed lists the request at all: approved (pending too in the person's own feed). A request
    that was shown and is now rejected or cancelled stays as a cancelled event so that subscribers remove
    it; others' feeds never learn of a request that was not approved."""
    if absence.status is LeaveStatus.APPROVED:
        return True
    if absence.status is LeaveStatus.PENDING:
        return own
    return own or absence.was_approved


@dataclass(frozen=True)
class Span:
    """Consecutive days of one row with the same away / pending cell (for a text version of the grid)."""

    start: date
    end: date
    kind: CellKind
    half: HalfDay | None
    hours: Hours = ()


def row_spans(days: Sequence[date], row: Row) -> list[Span]:
    """The away and pending stretches of a row, in day order (a half day or some hours is a stretch of its own)."""
    spans: list[Span] = []
    for day, cell in zip(days, row.cells, strict=True):
        if cell.kind not in (CellKind.AWAY, CellKind.PENDING):
            continue
        last = spans[-1] if spans else None
        if (
            last is not None
            and last.kind is cell.kind
            and last.half is None
            and cell.half is None
            and not last.hours
            and not cell.hours
            and (day - last.end).days == 1
        ):
            spans[-1] = Span(last.start, day, cell.kind, None)
        else:
            spans.append(Span(day, day, cell.kind, cell.half, cell.hours))
    return spans
