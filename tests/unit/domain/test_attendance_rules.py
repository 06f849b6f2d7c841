"""Table of attendance classification rules: one shift day, punches in, a daily_attendance row out."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shared.domain.attendance import DayContext, DayLeave, DayResult, classify_day, should_write
from shared.domain.enums import AttendanceStatus as S
from shared.domain.enums import Direction, HalfDay, HoursMode, PunchSource
from shared.domain.punches import PunchFact
from shared.domain.shift_window import ShiftRule

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 5, 4)
SATURDAY = date(2026, 5, 9)
LATER = datetime(2027, 1, 1, tzinfo=UTC)
EVERY_DAY = "1234567"

DAY = ShiftRule(
    start_time=time(9),
    end_time=time(17),
    late_grace_minutes=10,
    early_grace_minutes=10,
    half_day_hours=Decimal(4),
    absent_hours=Decimal(1),
    checkin_before_minutes=120,
    checkout_after_minutes=240,
    id=3,
)
DAY_PAIRS = ShiftRule(time(9), time(17), 10, 10, hours_mode=HoursMode.PAIRS, id=4)
NIGHT = ShiftRule(time(22), time(6), id=5)

_DIRECTIONS = {"i": Direction.IN, "o": Direction.OUT, "?": Direction.UNKNOWN}


def punch(day: date, spec: str, tz: ZoneInfo = BERLIN) -> PunchFact:
    """'09:05 i' → a device IN at 09:05 local on ``day``; '+1 06:00 o' is the next day; 'T' = Telegram."""
    parts = spec.split()
    offset = int(parts.pop(0)) if parts[0].startswith("+") else 0
    clock, code = parts
    hour, minute, *second = (int(x) for x in clock.split(":"))
    local = datetime.combine(day + timedelta(days=offset), time(hour, minute, *second), tzinfo=tz)
    source = PunchSource.TELEGRAM if code.isupper() else PunchSource.DEVICE
    return PunchFact(local.astimezone(UTC), _DIRECTIONS[code.lower()], source)


def classify(specs, shift=DAY, day=MONDAY, tz=BERLIN, now=LATER, **context) -> DayResult:
    punches = [punch(day, spec, tz) for spec in specs]
    return classify_day(DayContext(day, **context), punches, shift, tz, now=now)


# (id, punches, shift, day, context, expected fields)
# fmt: off
CASES = [
    ("on time in and out is present", ["08:55 i", "17:05 o"], DAY, MONDAY, {},
     dict(status=S.PRESENT, late_minutes=0, early_exit_minutes=0, worked_minutes=490, punch_count=2, shift_id=3)),
    ("arriving within the late grace is on time", ["09:10 i", "17:00 o"], DAY, MONDAY, {},
     dict(status=S.PRESENT, late_minutes=0)),
    ("arriving 59 seconds into the last grace minute is on time", ["09:10:59 i", "17:00 o"], DAY, MONDAY, {},
     dict(status=S.PRESENT, late_minutes=0)),
    ("arriving beyond the grace counts late minutes from the scheduled start", ["09:11 i", "17:00 o"], DAY, MONDAY, {},
     dict(status=S.PRESENT, late_minutes=11)),
    ("leaving within the early grace is not an early exit", ["09:00 i", "16:50 o"], DAY, MONDAY, {},
     dict(status=S.PRESENT, early_exit_minutes=0)),
    ("leaving beyond the early grace records early exit minutes to the end", ["09:00 i", "16:30 o"], DAY, MONDAY, {},
     dict(status=S.PRESENT, early_exit_minutes=30, worked_minutes=450)),
    ("a check-in without check-out is incomplete", ["09:00 i"], DAY, MONDAY, {},
     dict(status=S.INCOMPLETE, last_out=None, worked_minutes=0, punch_count=1)),
    ("an incomplete day still records late minutes", ["09:30 i"], DAY, MONDAY, {},
     dict(status=S.INCOMPLETE, late_minutes=30, early_exit_minutes=0)),
    ("only check-ins are incomplete", ["09:00 i", "12:00 i"], DAY, MONDAY, {},
     dict(status=S.INCOMPLETE, punch_count=2)),
    ("a lone check-out is incomplete with no first in", ["17:00 o"], DAY, MONDAY, {},
     dict(status=S.INCOMPLETE, first_in=None, last_out=None)),
    ("a check-out before the first check-in is ignored", ["08:00 o", "09:00 i"], DAY, MONDAY, {},
     dict(status=S.INCOMPLETE, last_out=None)),
    ("working less than the half day hours is a half day", ["09:00 i", "12:30 o"], DAY, MONDAY, {},
     dict(status=S.HALF_DAY, worked_minutes=210, early_exit_minutes=270)),
    ("working exactly the half day hours is present", ["09:00 i", "13:00 o"], DAY, MONDAY, {},
     dict(status=S.PRESENT, worked_minutes=240)),
    ("working less than the absent hours is absent without late or early", ["09:30 i", "10:15 o"], DAY, MONDAY, {},
     dict(status=S.ABSENT, worked_minutes=45, late_minutes=0, early_exit_minutes=0)),
    ("no punch on a work day is absent", [], DAY, MONDAY, {},
     dict(status=S.ABSENT, punch_count=0, first_in=None, worked_minutes=0)),
    ("a weekend without punches is a weekend", [], DAY, SATURDAY, {}, dict(status=S.WEEKEND, worked_on_day_off=False)),
    ("a weekend with punches is present and flagged worked on day off", ["10:00 i", "14:00 o"], DAY, SATURDAY, {},
     dict(status=S.PRESENT, worked_on_day_off=True, worked_minutes=240, late_minutes=0, early_exit_minutes=0)),
    ("a short weekend visit is not a half day", ["10:00 i", "10:30 o"], DAY, SATURDAY, {},
     dict(status=S.PRESENT, worked_on_day_off=True, worked_minutes=30)),
    ("a weekend single punch is incomplete on a day off", ["10:00 i"], DAY, SATURDAY, {},
     dict(status=S.INCOMPLETE, worked_on_day_off=True)),
    ("a holiday without punches is a holiday", [], DAY, MONDAY, {"is_holiday": True}, dict(status=S.HOLIDAY)),
    ("a holiday with punches is present and worked on day off", ["09:30 i", "17:00 o"],
     DAY, MONDAY, {"is_holiday": True}, dict(status=S.PRESENT, worked_on_day_off=True, late_minutes=0)),
    ("a holiday on a weekend is a holiday", [], DAY, SATURDAY, {"is_holiday": True}, dict(status=S.HOLIDAY)),
    ("a Saturday in a six-day work week is a work day", [], DAY, SATURDAY, {"work_week": "123456"},
     dict(status=S.ABSENT)),
    ("a holiday wins over approved leave", [],
     DAY, MONDAY, {"is_holiday": True, "leave": DayLeave.FULL, "leave_request_id": 7},
     dict(status=S.HOLIDAY, leave_request_id=None)),
    ("full leave without punches is on leave", [], DAY, MONDAY, {"leave": DayLeave.FULL, "leave_request_id": 7},
     dict(status=S.ON_LEAVE, leave_request_id=7)),
    ("full leave with punches stays on leave and records them", ["09:30 i", "17:00 o"],
     DAY, MONDAY, {"leave": DayLeave.FULL, "leave_request_id": 7},
     dict(status=S.ON_LEAVE, worked_minutes=450, punch_count=2, late_minutes=0)),
    ("morning half leave without punches is half leave", [],
     DAY, MONDAY, {"leave": DayLeave.MORNING, "leave_request_id": 8},
     dict(status=S.HALF_LEAVE, leave_request_id=8, punch_count=0)),
    ("afternoon half leave without punches is half leave", [],
     DAY, MONDAY, {"leave": DayLeave.AFTERNOON, "leave_request_id": 8}, dict(status=S.HALF_LEAVE, punch_count=0)),
    ("morning half leave arriving at the midpoint is on time", ["13:00 i", "17:00 o"],
     DAY, MONDAY, {"leave": DayLeave.MORNING}, dict(status=S.HALF_LEAVE, late_minutes=0, worked_minutes=240)),
    ("morning half leave arriving after midpoint and grace is late from the midpoint", ["13:30 i", "17:00 o"],
     DAY, MONDAY, {"leave": DayLeave.MORNING}, dict(status=S.HALF_LEAVE, late_minutes=30)),
    ("morning half leave leaving early is still an early exit", ["13:00 i", "16:00 o"],
     DAY, MONDAY, {"leave": DayLeave.MORNING}, dict(status=S.HALF_LEAVE, early_exit_minutes=60)),
    ("afternoon half leave leaving at the midpoint is not early", ["09:00 i", "13:00 o"],
     DAY, MONDAY, {"leave": DayLeave.AFTERNOON}, dict(status=S.HALF_LEAVE, early_exit_minutes=0, worked_minutes=240)),
    ("afternoon half leave leaving before the midpoint is early", ["09:00 i", "12:00 o"],
     DAY, MONDAY, {"leave": DayLeave.AFTERNOON}, dict(status=S.HALF_LEAVE, early_exit_minutes=60)),
    ("afternoon half leave arriving late is late from the start", ["09:20 i", "13:00 o"],
     DAY, MONDAY, {"leave": DayLeave.AFTERNOON}, dict(status=S.HALF_LEAVE, late_minutes=20)),
    ("half leave with few hours is not a half day nor absent", ["09:00 i", "09:30 o"],
     DAY, MONDAY, {"leave": DayLeave.AFTERNOON}, dict(status=S.HALF_LEAVE, worked_minutes=30)),
    ("leave request id is not recorded when not on leave", ["09:00 i", "17:00 o"], DAY, MONDAY, {"leave_request_id": 9},
     dict(status=S.PRESENT, leave_request_id=None)),
    ("punches within two minutes count once", ["09:00 i", "09:01 i", "17:00 o", "17:01:59 o"], DAY, MONDAY, {},
     dict(status=S.PRESENT, punch_count=2, worked_minutes=480)),
    ("pairs mode sums in/out pairs", ["09:00 i", "12:00 o", "13:00 i", "17:00 o"], DAY_PAIRS, MONDAY, {},
     dict(status=S.PRESENT, worked_minutes=420)),
    ("first_last mode spans first in to last out", ["09:00 i", "12:00 o", "13:00 i", "17:00 o"], DAY, MONDAY, {},
     dict(status=S.PRESENT, worked_minutes=480)),
    ("pairs mode ignores a trailing unmatched check-in", ["09:00 i", "12:00 o", "13:00 i"], DAY_PAIRS, MONDAY, {},
     dict(status=S.HALF_DAY, worked_minutes=180, early_exit_minutes=300)),
    ("pairs mode pairs the first of two check-ins", ["09:00 i", "10:00 i", "17:00 o"], DAY_PAIRS, MONDAY, {},
     dict(status=S.PRESENT, worked_minutes=480)),
    ("pairs mode ignores a check-out without check-in", ["09:00 i", "12:00 o", "12:30 o", "13:00 i", "17:00 o"],
     DAY_PAIRS, MONDAY, {}, dict(worked_minutes=420)),
    ("alternating four punches in pairs mode make two pairs", ["09:00 ?", "12:00 ?", "13:00 ?", "17:00 ?"],
     DAY_PAIRS, MONDAY, {}, dict(status=S.PRESENT, worked_minutes=420)),
    ("alternating three punches in first_last mode take the last as check-out", ["09:00 ?", "12:00 ?", "17:00 ?"],
     DAY, MONDAY, {}, dict(status=S.PRESENT, worked_minutes=480)),
    ("alternating three punches in pairs mode count the first pair only", ["09:00 ?", "12:00 ?", "17:00 ?"],
     DAY_PAIRS, MONDAY, {}, dict(status=S.HALF_DAY, worked_minutes=180)),
    ("alternating five punches in pairs mode count two pairs", ["08:00 ?", "12:00 ?", "13:00 ?", "16:00 ?", "17:00 ?"],
     DAY_PAIRS, MONDAY, {}, dict(status=S.PRESENT, worked_minutes=420)),
    ("a single alternating punch is a missing check-out", ["09:00 ?"], DAY, MONDAY, {},
     dict(status=S.INCOMPLETE, punch_count=1)),
    ("a Telegram check-in and a device punch alternate into a check-out", ["09:00 I", "17:00 ?"], DAY, MONDAY, {},
     dict(status=S.PRESENT, worked_minutes=480)),
    ("a punch at the start of the check-in window counts", ["07:00 i", "17:00 o"], DAY, MONDAY, {},
     dict(punch_count=2, worked_minutes=600)),
    ("a punch a second before the check-in window counts as unscheduled work", ["06:59:59 i", "17:00 o"], DAY, MONDAY,
     {}, dict(status=S.PRESENT, punch_count=2, unscheduled_punches=1, late_minutes=0)),
    ("a check-in at 03:15 for a 09:00 shift is kept, not dropped", ["03:15 i"], DAY, MONDAY, {},
     dict(status=S.INCOMPLETE, punch_count=1, unscheduled_punches=1)),
    ("a punch at the end of the check-out window counts", ["09:00 i", "21:00 o"], DAY, MONDAY, {},
     dict(status=S.PRESENT, worked_minutes=720)),
    ("a punch a second after the check-out window counts as unscheduled work", ["09:00 i", "21:00:01 o"], DAY, MONDAY,
     {}, dict(status=S.PRESENT, punch_count=2, unscheduled_punches=1)),
    ("punches inside the window are not unscheduled", ["09:00 i", "21:00 o"], DAY, MONDAY, {},
     dict(unscheduled_punches=0)),
    ("without a shift a short day is simply present", ["10:00 i", "10:30 o"], None, MONDAY, {},
     dict(status=S.PRESENT, worked_minutes=30, late_minutes=0, shift_id=None)),
    ("without a shift no punch on a work day is absent", [], None, MONDAY, {}, dict(status=S.ABSENT)),
    ("without a shift a weekend is a weekend", [], None, SATURDAY, {}, dict(status=S.WEEKEND)),
    ("without a shift a single punch is incomplete", ["10:00 i"], None, MONDAY, {}, dict(status=S.INCOMPLETE)),
    ("without a shift the next local day's punches are not counted", ["08:00 i", "23:59 o", "+1 00:01 o"],
     None, MONDAY, {}, dict(punch_count=2, worked_minutes=959)),
    ("without a shift half leave records no late minutes", ["14:00 i", "18:00 o"],
     None, MONDAY, {"leave": DayLeave.MORNING}, dict(status=S.HALF_LEAVE, late_minutes=0, worked_minutes=240)),
    ("a normal night shift belongs to the day it starts", ["21:55 i", "+1 06:05 o"], NIGHT, MONDAY, {},
     dict(status=S.PRESENT, worked_minutes=490, late_minutes=0, date=MONDAY)),
    ("a night shift check-in after the start is late", ["22:30 i", "+1 06:00 o"], NIGHT, MONDAY, {},
     dict(status=S.PRESENT, late_minutes=30)),
    ("a night shift on the Berlin fall-back night lasts nine hours", ["22:00 i", "+1 06:00 o"],
     NIGHT, date(2026, 10, 24), {"work_week": EVERY_DAY},
     dict(status=S.PRESENT, worked_minutes=540, early_exit_minutes=0)),
    ("leaving at 05:00 on the Berlin fall-back night is an hour early", ["22:00 i", "+1 05:00 o"],
     NIGHT, date(2026, 10, 24), {"work_week": EVERY_DAY}, dict(worked_minutes=480, early_exit_minutes=60)),
    ("a night shift on the Berlin spring-forward night lasts seven hours", ["22:00 i", "+1 06:00 o"],
     NIGHT, date(2026, 3, 28), {"work_week": EVERY_DAY}, dict(status=S.PRESENT, worked_minutes=420)),
    ("the Berlin day after the fall-back night has an eight-hour night", ["22:00 i", "+1 06:00 o"],
     NIGHT, date(2026, 10, 25), {"work_week": EVERY_DAY}, dict(worked_minutes=480)),
    ("the night punches of the morning do not count for the day they end on", ["06:00 o"], NIGHT, date(2026, 5, 5), {},
     dict(status=S.ABSENT, punch_count=0)),
]
# fmt: on


@pytest.mark.parametrize(("punches", "shift", "day", "context", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_classification_rule(punches, shift, day, context, expected):
    result = classify(punches, shift=shift, day=day, **context)
    assert {name: getattr(result, name) for name in expected} == expected


NY_CASES = [
    ("a New York night shift when clocks fall back lasts nine hours", date(2026, 10, 31), 540),
    ("a New York night shift when clocks spring forward lasts seven hours", date(2026, 3, 7), 420),
    ("a New York night shift on an ordinary night lasts eight hours", date(2026, 3, 9), 480),
]


@pytest.mark.parametrize(("day", "minutes"), [c[1:] for c in NY_CASES], ids=[c[0] for c in NY_CASES])
def test_new_york_night_shift(day, minutes):
    result = classify(["22:00 i", "+1 06:00 o"], shift=NIGHT, day=day, tz=NEW_YORK, work_week=EVERY_DAY)
    assert (result.status, result.worked_minutes, result.early_exit_minutes) == (S.PRESENT, minutes, 0)


def test_first_in_and_last_out_are_the_utc_instants():
    result = classify(["08:55 i", "17:05 o"])
    assert result.first_in == datetime(2026, 5, 4, 6, 55, tzinfo=UTC)
    assert result.last_out == datetime(2026, 5, 4, 15, 5, tzinfo=UTC)


FINAL_CASES = [
    ("a day is provisional during the shift", datetime(2026, 5, 4, 12, tzinfo=BERLIN), False),
    ("a day is provisional at the very end of the check-out window", datetime(2026, 5, 4, 21, tzinfo=BERLIN), False),
    (
        "a day is provisional after the window while a late punch still counts on it",
        datetime(2026, 5, 4, 23, 59, tzinfo=BERLIN),
        False,
    ),
    ("a day is final at local midnight once its window has closed", datetime(2026, 5, 5, 0, 0, tzinfo=BERLIN), True),
    ("a day is final the next morning", datetime(2026, 5, 5, 8, tzinfo=BERLIN), True),
]


@pytest.mark.parametrize(("now", "final"), [c[1:] for c in FINAL_CASES], ids=[c[0] for c in FINAL_CASES])
def test_finality_waits_until_no_punch_can_belong_to_the_day(now, final):
    assert classify(["09:00 i"], now=now.astimezone(UTC)).is_final is final


def test_a_provisional_day_still_gets_a_classification():
    result = classify(["09:00 i"], now=datetime(2026, 5, 4, 12, tzinfo=BERLIN))
    assert (result.status, result.is_final) == (S.INCOMPLETE, False)


def test_a_no_shift_day_is_final_after_local_midnight():
    before = classify(["09:00 i"], shift=None, now=datetime(2026, 5, 4, 23, 59, tzinfo=BERLIN))
    after = classify(["09:00 i"], shift=None, now=datetime(2026, 5, 5, 0, 0, 1, tzinfo=BERLIN))
    assert (before.is_final, after.is_final) == (False, True)


def test_processing_again_after_new_punches_gives_the_new_answer():
    assert classify(["09:00 i"]).status is S.INCOMPLETE
    assert classify(["09:00 i", "17:00 o"]).status is S.PRESENT


LEAVE_INPUTS = [
    ("the string full is full leave", "full", DayLeave.FULL),
    ("the HalfDay am is morning leave", HalfDay.MORNING, DayLeave.MORNING),
    ("the string pm is afternoon leave", "pm", DayLeave.AFTERNOON),
]


@pytest.mark.parametrize(("leave", "expected"), [c[1:] for c in LEAVE_INPUTS], ids=[c[0] for c in LEAVE_INPUTS])
def test_leave_given_as_strings_or_half_days_is_understood(leave, expected):
    assert DayContext(MONDAY, leave=leave).leave is expected


def test_an_unknown_leave_kind_is_refused():
    with pytest.raises(ValueError):
        DayContext(MONDAY, leave="evening")


@pytest.mark.parametrize(("manual", "write"), [(True, False), (False, True)],
                         ids=["a manual override is never overwritten", "a computed row is replaced"])  # fmt: skip
def test_should_write(manual, write):
    assert should_write(manual) is write
