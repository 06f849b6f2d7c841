"""Shift windows in UTC (night shifts, DST gaps and folds) and the assignment of punches to days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.punches import PunchFact
from shared.domain.shift_window import ShiftRule, assign_punches_to_days, day_range, local_to_utc, shift_window
from shared.errors import Invalid

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rule(start: str, end: str, before: int = 120, after: int = 240) -> ShiftRule:
    return ShiftRule(time.fromisoformat(start), time.fromisoformat(end), checkin_before_minutes=before,
                     checkout_after_minutes=after)  # fmt: skip


# (id, day, shift, zone, start_utc, end_utc, scheduled minutes)
# fmt: off
WINDOWS = [
    ("a day shift in Berlin summer time", date(2026, 5, 4), rule("09:00", "17:00"), BERLIN,
     utc(2026, 5, 4, 7), utc(2026, 5, 4, 15), 480),
    ("a day shift in Berlin winter time", date(2026, 1, 5), rule("09:00", "17:00"), BERLIN,
     utc(2026, 1, 5, 8), utc(2026, 1, 5, 16), 480),
    ("an ordinary night shift ends the next day", date(2026, 5, 4), rule("22:00", "06:00"), BERLIN,
     utc(2026, 5, 4, 20), utc(2026, 5, 5, 4), 480),
    ("the night shift when Berlin clocks go back lasts nine hours", date(2026, 10, 24), rule("22:00", "06:00"),
     BERLIN, utc(2026, 10, 24, 20), utc(2026, 10, 25, 5), 540),
    ("the night shift starting on the Berlin fall-back day lasts eight hours", date(2026, 10, 25),
     rule("22:00", "06:00"), BERLIN, utc(2026, 10, 25, 21), utc(2026, 10, 26, 5), 480),
    ("the night shift when Berlin clocks go forward lasts seven hours", date(2026, 3, 28), rule("22:00", "06:00"),
     BERLIN, utc(2026, 3, 28, 21), utc(2026, 3, 29, 4), 420),
    ("the night shift when New York clocks go back lasts nine hours", date(2026, 10, 31), rule("22:00", "06:00"),
     NEW_YORK, utc(2026, 11, 1, 2), utc(2026, 11, 1, 11), 540),
    ("the night shift when New York clocks go forward lasts seven hours", date(2026, 3, 7), rule("22:00", "06:00"),
     NEW_YORK, utc(2026, 3, 8, 3), utc(2026, 3, 8, 10), 420),
    ("equal start and end is a 24-hour shift", date(2026, 5, 4), rule("08:00", "08:00"), BERLIN,
     utc(2026, 5, 4, 6), utc(2026, 5, 5, 6), 1440),
    ("a 24-hour shift over the fall-back night lasts 25 hours", date(2026, 10, 24), rule("08:00", "08:00"), BERLIN,
     utc(2026, 10, 24, 6), utc(2026, 10, 25, 7), 1500),
    ("a 24-hour shift over the spring-forward night lasts 23 hours", date(2026, 3, 28), rule("08:00", "08:00"),
     BERLIN, utc(2026, 3, 28, 7), utc(2026, 3, 29, 6), 1380),
    ("a start in the spring-forward gap is shifted forward", date(2026, 3, 29), rule("02:30", "10:30"), BERLIN,
     utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 8, 30), 420),
    ("an end in the spring-forward gap is shifted forward", date(2026, 3, 28), rule("20:00", "02:30"), BERLIN,
     utc(2026, 3, 28, 19), utc(2026, 3, 29, 1, 30), 390),
    ("an ambiguous start takes the first occurrence", date(2026, 10, 25), rule("02:30", "10:30"), BERLIN,
     utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 9, 30), 540),
    ("an ambiguous end takes the second occurrence", date(2026, 10, 24), rule("22:00", "02:30"), BERLIN,
     utc(2026, 10, 24, 20), utc(2026, 10, 25, 1, 30), 330),
    ("a New York start in the gap is shifted forward", date(2026, 3, 8), rule("02:30", "06:00"), NEW_YORK,
     utc(2026, 3, 8, 7, 30), utc(2026, 3, 8, 10), 150),
    ("a shift in UTC has no surprises", date(2026, 10, 25), rule("22:00", "06:00"), UTC,
     utc(2026, 10, 25, 22), utc(2026, 10, 26, 6), 480),
]
# fmt: on


@pytest.mark.parametrize(("day", "shift", "tz", "start", "end", "minutes"), [c[1:] for c in WINDOWS],
                         ids=[c[0] for c in WINDOWS])  # fmt: skip
def test_shift_window(day, shift, tz, start, end, minutes):
    window = shift_window(day, shift, tz)
    assert (window.start_utc, window.end_utc, window.scheduled_minutes) == (start, end, minutes)
    assert window.earliest_utc == start - timedelta(minutes=shift.checkin_before_minutes)
    assert window.latest_utc == end + timedelta(minutes=shift.checkout_after_minutes)


def test_without_a_shift_the_window_is_the_local_calendar_day_of_25_hours():
    window = shift_window(date(2026, 10, 25), None, BERLIN)
    assert (window.earliest_utc, window.latest_utc) == (utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))
    assert window.scheduled_minutes == 0


@pytest.mark.parametrize(("fold", "expected"), [(0, utc(2026, 10, 25, 0, 30)), (1, utc(2026, 10, 25, 1, 30))],
                         ids=["fold 0 is the first occurrence", "fold 1 is the second occurrence"])  # fmt: skip
def test_local_to_utc_on_an_ambiguous_time(fold, expected):
    assert local_to_utc(date(2026, 10, 25), time(2, 30), BERLIN, fold=fold) == expected


@pytest.mark.parametrize("fold", [0, 1], ids=["with fold 0", "with fold 1"])
def test_local_to_utc_in_the_gap_is_always_shifted_forward(fold):
    assert local_to_utc(date(2026, 3, 29), time(2, 30), BERLIN, fold=fold) == utc(2026, 3, 29, 1, 30)


@pytest.mark.parametrize(
    "fields",
    [{"late_grace_minutes": -1}, {"early_grace_minutes": -5}, {"checkin_before_minutes": 721},
     {"checkout_after_minutes": -1}, {"checkout_after_minutes": 24 * 60}],
    ids=["negative late grace is refused", "negative early grace is refused", "a check-in window over 12 h is refused",
         "a negative check-out window is refused", "a 24 h check-out window is refused"],
)  # fmt: skip
def test_invalid_shift_rules_are_refused(fields):
    with pytest.raises(Invalid):
        ShiftRule(time(9), time(17), **fields)


D = date(2026, 5, 4)
LONG = rule("09:00", "17:00", before=720, after=720)  # windows of consecutive days overlap 21:00–05:00
LONG_DAY = rule("09:00", "21:00", before=60, after=720)  # the midpoint 03:00 falls before D+1's window
EARLY_BIRD = rule("09:00", "21:00", before=720, after=60)  # the midpoint falls after D's window
NIGHT_LONG = rule("22:00", "06:00", before=720, after=720)
DAY_AND_NIGHT = rule("08:00", "08:00", before=60, after=60)
AMBIGUOUS_24H = rule("02:30", "02:30", before=60, after=60)
NEXT = D + timedelta(days=1)

# (id, shift, zone, punch instant, expected day or None)
# fmt: off
ASSIGNMENTS = [
    ("a late check-out in the overlap stays with the day before", LONG, UTC, utc(2026, 5, 4, 22), D),
    ("a punch just before the midpoint of the off-duty gap stays with the day before", LONG, UTC,
     utc(2026, 5, 5, 0, 59, 59), D),
    ("a punch exactly at the midpoint goes to the later day", LONG, UTC, utc(2026, 5, 5, 1), NEXT),
    ("an early check-in in the overlap goes to the next day", LONG, UTC, utc(2026, 5, 5, 4), NEXT),
    ("a check-out window ending before the midpoint keeps the whole overlap for the later day", LONG_DAY, UTC,
     utc(2026, 5, 5, 8), NEXT),
    ("a punch before the next window still belongs to the day before", LONG_DAY, UTC, utc(2026, 5, 5, 7, 59), D),
    ("a check-in window reaching past the midpoint leaves the overlap to the day before", EARLY_BIRD, UTC,
     utc(2026, 5, 4, 22), D),
    ("a punch just after the earlier window goes to the later day", EARLY_BIRD, UTC, utc(2026, 5, 4, 22, 0, 1), NEXT),
    ("a night shift's morning punch before the midday midpoint stays with the night", NIGHT_LONG, UTC,
     utc(2026, 5, 5, 13, 59), D),
    ("a night shift's afternoon punch after the midpoint goes to the next night", NIGHT_LONG, UTC,
     utc(2026, 5, 5, 14), NEXT),
    ("the hand-over instant of back-to-back 24-hour shifts goes to the new shift", DAY_AND_NIGHT, UTC,
     utc(2026, 5, 5, 8), NEXT),
    ("a minute before the hand-over belongs to the old 24-hour shift", DAY_AND_NIGHT, UTC, utc(2026, 5, 5, 7, 59), D),
    ("24-hour shifts overlapping on an ambiguous hour cut at the new shift's start", AMBIGUOUS_24H, BERLIN,
     utc(2026, 10, 25, 1), date(2026, 10, 25)),
    ("a punch before that ambiguous cut belongs to the old shift", AMBIGUOUS_24H, BERLIN,
     utc(2026, 10, 25, 0, 29), date(2026, 10, 24)),
    ("a punch between windows that do not overlap belongs to its local day (evening)", rule("09:00", "17:00"), UTC,
     utc(2026, 5, 4, 23), date(2026, 5, 4)),
    ("a punch between windows that do not overlap belongs to its local day (small hours)", rule("09:00", "17:00"),
     UTC, utc(2026, 5, 5, 3, 15), date(2026, 5, 5)),
    ("a night shift's afternoon gap belongs to the shift that starts that evening", rule("22:00", "06:00"), UTC,
     utc(2026, 5, 5, 14), date(2026, 5, 5)),
]
# fmt: on


@pytest.mark.parametrize(("shift", "tz", "instant", "expected"), [c[1:] for c in ASSIGNMENTS],
                         ids=[c[0] for c in ASSIGNMENTS])  # fmt: skip
def test_a_punch_in_overlapping_windows_belongs_to_exactly_one_day(shift, tz, instant, expected):
    days = [date(2026, 5, 3) + timedelta(days=n) for n in range(3)] + [date(2026, 10, 24), date(2026, 10, 25)]
    assigned = assign_punches_to_days([PunchFact(instant)], days, shift, tz)
    owners = [day for day, punches in assigned.items() if punches]
    assert owners == ([] if expected is None else [expected])
    for day in days:
        lower, upper = day_range(day, shift, tz)
        assert (lower <= instant < upper) is (day == expected)


def test_assignment_sorts_each_day_and_keeps_every_requested_day():
    punches = [PunchFact(utc(2026, 5, 5, 15)), PunchFact(utc(2026, 5, 4, 15)), PunchFact(utc(2026, 5, 4, 7))]
    assigned = assign_punches_to_days(punches, [date(2026, 5, 6), D, NEXT], rule("09:00", "17:00"), UTC)
    assert [p.instant.hour for p in assigned[D]] == [7, 15]
    assert [p.instant.hour for p in assigned[NEXT]] == [15]
    assert assigned[date(2026, 5, 6)] == []


def test_punches_outside_the_requested_days_are_left_out():
    assigned = assign_punches_to_days([PunchFact(utc(2026, 5, 10, 9))], [D], rule("09:00", "17:00"), UTC)
    assert assigned == {D: []}


SHIFTS = [LONG, LONG_DAY, EARLY_BIRD, NIGHT_LONG, DAY_AND_NIGHT, AMBIGUOUS_24H, rule("22:00", "06:00"), None]
START = utc(2026, 10, 20)


@settings(max_examples=150, deadline=None)
@given(
    shift=st.sampled_from(SHIFTS),
    tz=st.sampled_from([UTC, BERLIN, NEW_YORK]),
    offsets=st.lists(st.integers(min_value=0, max_value=10 * 24 * 3600), max_size=40),
)
def test_property_each_punch_lands_in_exactly_one_day_and_near_its_window(shift, tz, offsets):
    punches = [PunchFact(START + timedelta(seconds=s)) for s in offsets]
    days = [date(2026, 10, 17) + timedelta(days=n) for n in range(17)]
    assigned = assign_punches_to_days(punches, days, shift, tz)
    placed = [(day, p) for day, ps in assigned.items() for p in ps]
    assert sorted(p.instant for _, p in placed) == sorted(p.instant for p in punches)
    for day, p in placed:
        window = shift_window(day, shift, tz)
        if window.earliest_utc <= p.instant <= window.latest_utc:
            continue
        # outside its own window: then it is in no other day's window either (unscheduled work)
        for other in (day - timedelta(days=1), day + timedelta(days=1)):
            neighbour = shift_window(other, shift, tz)
            assert not neighbour.earliest_utc <= p.instant <= neighbour.latest_utc
    # the same punches split over a shorter range give the same days (cut depends on neighbours only)
    middle = assign_punches_to_days(punches, days[4:8], shift, tz)
    assert middle == {day: assigned[day] for day in days[4:8]}
