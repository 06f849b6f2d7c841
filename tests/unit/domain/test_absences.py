"""The month grid (who is away, pending, off, on a holiday, half days) and what a feed lists."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.absences import (
    Absence,
    Cell,
    CellKind,
    Person,
    Span,
    build_month,
    feed_shows,
    leave_entry,
    leave_uid,
    row_spans,
)
from shared.domain.enums import HalfDay, LeaveStatus

ALICE = Person(1, "Alice", "12345", frozenset({date(2026, 12, 25)}))


def absence(start: date, end: date, status: LeaveStatus = LeaveStatus.APPROVED, **halves: HalfDay) -> Absence:
    return Absence(7, 1, start, end, halves.get("start_half"), halves.get("end_half"), status, None)


def grid_of(*absences: Absence):
    return build_month(year=2026, month=12, title="Ops", people=[ALICE], absences=absences, holidays={})


def test_the_grid_has_a_cell_per_day_and_marks_weekends_and_holidays() -> None:
    cells = grid_of().rows[0].cells
    assert len(cells) == 31
    assert cells[4] == Cell(CellKind.DAY_OFF)  # Saturday 5 December
    assert cells[24] == Cell(CellKind.HOLIDAY)  # 25 December
    assert cells[2] == Cell(CellKind.WORK)


def test_approved_leave_is_away_and_pending_leave_is_pending_and_approved_wins() -> None:
    cells = (
        grid_of(
            absence(date(2026, 12, 7), date(2026, 12, 8)),
            absence(date(2026, 12, 8), date(2026, 12, 9), LeaveStatus.PENDING),
        )
        .rows[0]
        .cells
    )
    assert [c.kind for c in cells[6:9]] == [CellKind.AWAY, CellKind.AWAY, CellKind.PENDING]


def test_half_days_fill_the_morning_or_the_afternoon_only() -> None:
    cells = (
        grid_of(
            absence(date(2026, 12, 14), date(2026, 12, 14), start_half=HalfDay.MORNING),
            absence(date(2026, 12, 16), date(2026, 12, 18), start_half=HalfDay.AFTERNOON, end_half=HalfDay.MORNING),
        )
        .rows[0]
        .cells
    )
    assert cells[13] == Cell(CellKind.AWAY, HalfDay.MORNING)
    assert cells[15] == Cell(CellKind.AWAY, HalfDay.AFTERNOON)
    assert cells[16] == Cell(CellKind.AWAY)
    assert cells[17] == Cell(CellKind.AWAY, HalfDay.MORNING)


def test_rejected_and_cancelled_requests_are_not_in_the_grid() -> None:
    cells = grid_of(absence(date(2026, 12, 7), date(2026, 12, 7), LeaveStatus.REJECTED)).rows[0].cells
    assert cells[6] == Cell(CellKind.WORK)


def test_spans_collapse_consecutive_away_days_for_the_text_version() -> None:
    grid = grid_of(
        absence(date(2026, 12, 7), date(2026, 12, 9)),
        absence(date(2026, 12, 10), date(2026, 12, 10), LeaveStatus.PENDING),
    )
    assert row_spans(grid.days, grid.rows[0]) == [
        Span(date(2026, 12, 7), date(2026, 12, 9), CellKind.AWAY, None),
        Span(date(2026, 12, 10), date(2026, 12, 10), CellKind.PENDING, None),
    ]


def test_feeds_show_pending_only_to_the_person_and_withdrawals_only_if_they_had_been_shown() -> None:
    pending = absence(date(2026, 12, 7), date(2026, 12, 7), LeaveStatus.PENDING)
    rejected = absence(date(2026, 12, 7), date(2026, 12, 7), LeaveStatus.REJECTED)
    withdrawn = Absence(8, 1, date(2026, 12, 7), date(2026, 12, 7), None, None, LeaveStatus.CANCELLED, None, True)
    assert feed_shows(pending, own=True) and not feed_shows(pending, own=False)
    assert feed_shows(rejected, own=True) and not feed_shows(rejected, own=False)
    assert feed_shows(withdrawn, own=False)


def test_a_feed_entry_keeps_its_uid_and_is_cancelled_when_the_request_is() -> None:
    approved = absence(date(2026, 12, 7), date(2026, 12, 8))
    cancelled = Absence(7, 1, date(2026, 12, 7), date(2026, 12, 8), None, None, LeaveStatus.CANCELLED, None, True)
    first = leave_entry(approved, summary="away", domain="example.com", sequence=1)
    second = leave_entry(cancelled, summary="away", domain="example.com", sequence=2)
    assert first.uid == second.uid == leave_uid(7, "example.com")
    assert first.end == date(2026, 12, 9), "DTEND of an all-day event is the day after"
    assert not first.cancelled and second.cancelled


@given(
    start=st.integers(min_value=1, max_value=31),
    length=st.integers(min_value=1, max_value=10),
    status=st.sampled_from(list(LeaveStatus)),
)
def test_a_cell_is_away_or_pending_exactly_on_working_days_a_shown_request_covers(start, length, status) -> None:
    first = date(2026, 12, start)
    last = date(2026, 12, min(31, start + length - 1))
    cells = grid_of(absence(first, last, status)).rows[0].cells
    for index, cell in enumerate(cells):
        day = date(2026, 12, index + 1)
        covered = first <= day <= last and status in (LeaveStatus.APPROVED, LeaveStatus.PENDING)
        working = day.isoweekday() <= 5 and day != date(2026, 12, 25)
        assert (cell.kind in (CellKind.AWAY, CellKind.PENDING)) == (covered and working)


@given(
    starts=st.lists(st.integers(min_value=1, max_value=31), max_size=5),
    halves=st.lists(st.sampled_from([None, HalfDay.MORNING, HalfDay.AFTERNOON]), min_size=5, max_size=5),
)
def test_the_spans_of_a_row_cover_exactly_its_away_and_pending_days(starts, halves) -> None:
    absences = [
        Absence(i, 1, date(2026, 12, d), date(2026, 12, min(31, d + 2)), halves[i], None,
                LeaveStatus.APPROVED if i % 2 else LeaveStatus.PENDING, None)
        for i, d in enumerate(starts)
    ]  # fmt: skip
    grid = grid_of(*absences)
    spans = row_spans(grid.days, grid.rows[0])
    covered = [d for s in spans for d in grid.days if s.start <= d <= s.end]
    marked = [
        d for d, c in zip(grid.days, grid.rows[0].cells, strict=True) if c.kind in (CellKind.AWAY, CellKind.PENDING)
    ]
    assert covered == marked


def _hours(day: date, start_hour: int, end_hour: int, request_id: int = 8, status=LeaveStatus.APPROVED) -> Absence:
    starts, ends = (
        datetime(2026, 12, day.day, start_hour, tzinfo=UTC),
        datetime(2026, 12, day.day, end_hour, tzinfo=UTC),
    )
    return Absence(request_id, 1, day, day, None, None, status, None, starts_at=starts, ends_at=ends)


def test_hourly_leave_is_a_partial_day_with_its_ranges_and_a_whole_day_wins_over_it() -> None:
    thursday = date(2026, 12, 3)
    two = (_hours(thursday, 14, 15, 9), _hours(thursday, 9, 11))
    cell = grid_of(*two).rows[0].cells[2]
    assert cell.kind is CellKind.AWAY and cell.partial and cell.half is None
    assert [start.hour for start, _ in cell.hours] == [9, 14], "the ranges in order of the day"
    whole = grid_of(*two, absence(thursday, thursday)).rows[0].cells[2]
    assert whole == Cell(CellKind.AWAY) and not whole.partial
    pending = grid_of(_hours(thursday, 9, 11, status=LeaveStatus.PENDING)).rows[0].cells[2]
    assert pending.kind is CellKind.PENDING and pending.partial


def test_spans_never_merge_hourly_days_with_their_neighbours() -> None:
    days = grid_of(absence(date(2026, 12, 1), date(2026, 12, 2)), _hours(date(2026, 12, 3), 9, 11))
    spans = row_spans(days.days, days.rows[0])
    assert [(s.start.day, s.end.day, bool(s.hours)) for s in spans] == [(1, 2, False), (3, 3, True)]


def test_the_feed_entry_of_hourly_leave_is_timed() -> None:
    entry = leave_entry(_hours(date(2026, 12, 3), 9, 11), summary="Doctor", domain="x", sequence=1)
    assert (entry.starts_at, entry.ends_at) == (
        datetime(2026, 12, 3, 9, tzinfo=UTC),
        datetime(2026, 12, 3, 11, tzinfo=UTC),
    )
    assert (
        leave_entry(absence(date(2026, 12, 3), date(2026, 12, 3)), summary="A", domain="x", sequence=1).starts_at
        is None
    )
