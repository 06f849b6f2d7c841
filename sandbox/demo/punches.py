"""Two weeks of realistic badge punches for the demo company's two devices.

Everyone mostly arrives on time, with the things an HR team wants to see in a digest: a colleague who
is often late (late often enough for a lateness notice), a forgotten check-out (corrected), an early exit,
a night shift across midnight, somebody absent without leave, a week of overtime, and a badge that belongs
to nobody. Times are written in each device's own local time,
as a real ZK device would store them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sandbox.zk import EmulatedRecord, EmulatedUser

EMPLOYEE_ZONE = ZoneInfo("Europe/Berlin")
IN, OUT = 0, 1  # ZK punch codes: check-in, check-out
UNKNOWN_BADGE = "77"


@dataclass(frozen=True)
class Badge:
    device_user_id: str
    name: str
    night: bool = False


@dataclass(frozen=True)
class Habit:
    """How someone deviates on given days, counted in working days back (1 = the last working day)."""

    late_minutes: dict[int, int]
    early_leave: dict[int, time]
    no_checkout: frozenset[int]
    absent: frozenset[int]
    stays_late_last_week: time | None = None
    """Leaves at this time every working day of last week (Monday to Friday): an overtime week."""


# Two weeks of exceptions, spread so that every working day of the last two weeks has some (and the stranger
# badge gives every day, weekends too, a "punch from an unknown badge"): `/digest <any of the last 14 days>`.
HABITS: dict[str, Habit] = {
    "8": Habit({1: 27, 3: 22, 6: 35, 9: 18}, {}, frozenset(), frozenset()),  # Sophie: often late
    "10": Habit({1: 25, 5: 40}, {}, frozenset(), frozenset()),  # Noah: late now and then
    "14": Habit({}, {}, frozenset({1, 4, 8}), frozenset()),  # Paul: forgets to check out
    "16": Habit({}, {1: time(16, 40), 7: time(15, 55)}, frozenset(), frozenset()),  # Mia: leaves early
    "17": Habit({2: 30, 6: 45}, {}, frozenset(), frozenset()),  # Ivan: late for the night shift
    "20": Habit({}, {}, frozenset(), frozenset({1, 5})),  # Felix: absent without leave
    "18": Habit({9: 20}, {}, frozenset(), frozenset({3})),  # Lea: absent once, late once
    "11": Habit({}, {2: time(16, 10)}, frozenset({10}), frozenset()),  # Emma: early once, no check-out once
    "22": Habit({4: 15}, {}, frozenset(), frozenset({7})),  # Ben
    "25": Habit({}, {}, frozenset({2, 6}), frozenset()),  # Hannah: no check-out twice
    "6": Habit({}, {}, frozenset(), frozenset(), time(20, 15)),  # Jonas: a week of overtime (a release)
    "7": Habit({}, {}, frozenset({1}), frozenset()),  # Layla: forgot to check out yesterday too
}


def last_week(today: date) -> frozenset[date]:
    """Monday to Friday of the ISO week before ``today``'s."""
    monday = today - timedelta(days=today.isoweekday() - 1 + 7)
    return frozenset(monday + timedelta(days=i) for i in range(5))


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The device's naive wall-clock time for an aware moment."""
    return moment.astimezone(zone).replace(tzinfo=None)


def last_working_day(today: date) -> date:
    day = today - timedelta(days=1)
    while day.isoweekday() > 5:
        day -= timedelta(days=1)
    return day


def _working_days(today: date, days: int) -> Iterable[tuple[int, date]]:
    """The working days of the last ``days`` calendar days, numbered back from the latest (1)."""
    found = [today - timedelta(days=back) for back in range(1, days + 1)]
    working = [day for day in found if day.isoweekday() <= 5]
    yield from enumerate(working, 1)


def _shift_times(
    badge: Badge, day: date, back: int, rng: random.Random, week: frozenset[date] = frozenset()
) -> list[tuple[datetime, int]]:
    habit = HABITS.get(badge.device_user_id)
    if habit and back in habit.absent:
        return []
    if badge.night:
        start = datetime.combine(day, time(22), EMPLOYEE_ZONE) + timedelta(minutes=rng.randint(-10, 4))
        end = datetime.combine(day + timedelta(days=1), time(6), EMPLOYEE_ZONE) + timedelta(minutes=rng.randint(0, 12))
    else:
        start = datetime.combine(day, time(9), EMPLOYEE_ZONE) + timedelta(minutes=rng.randint(-15, 5))
        end = datetime.combine(day, time(18), EMPLOYEE_ZONE) + timedelta(minutes=rng.randint(0, 20))
    if habit and back in habit.late_minutes:
        scheduled = time(22) if badge.night else time(9)
        start = datetime.combine(day, scheduled, EMPLOYEE_ZONE) + timedelta(minutes=habit.late_minutes[back])
    if habit and back in habit.early_leave:
        end = datetime.combine(day, habit.early_leave[back], EMPLOYEE_ZONE)
    if habit and habit.stays_late_last_week is not None and day in week:
        end = datetime.combine(day, habit.stays_late_last_week, EMPLOYEE_ZONE) + timedelta(minutes=rng.randint(0, 20))
    punches = [(start, IN)]
    if not (habit and back in habit.no_checkout):
        punches.append((end, OUT))
    return punches


def device_records(
    badges: Iterable[Badge], *, zone: str, today: date, now: datetime, days: int = 14, seed: int = 7
) -> list[EmulatedRecord]:
    """The past ``days`` of punches of these badges, in the device's local time, oldest first; nothing after
    ``now`` (last night's shift has not checked out yet at 03:00)."""
    rng = random.Random(seed)
    device_zone = ZoneInfo(zone)
    week = last_week(today)
    records = []
    for badge in badges:
        for back, day in _working_days(today, days):
            for moment, code in _shift_times(badge, day, back, rng, week):
                if moment <= now:
                    records.append(
                        EmulatedRecord(badge.device_user_id, _local(moment, device_zone), status=1, punch=code)
                    )
    return sorted(records, key=lambda r: r.timestamp)


def stranger_records(*, zone: str, today: date, days: int = 14) -> list[EmulatedRecord]:
    """A badge linked to nobody (the cleaning contractor), used every day of the last ``days``."""
    device_zone = ZoneInfo(zone)
    records = []
    for back in range(1, days + 1):
        day = today - timedelta(days=back)
        for at, code in ((time(6, 58), IN), (time(8, 5), OUT)):
            moment = datetime.combine(day, at, EMPLOYEE_ZONE)
            records.append(EmulatedRecord(UNKNOWN_BADGE, _local(moment, device_zone), status=1, punch=code))
    return records


def users_for(badges: Iterable[Badge], *, extra: Iterable[str] = ()) -> list[EmulatedUser]:
    users = [EmulatedUser(uid=index, user_id=b.device_user_id, name=b.name[:24]) for index, b in enumerate(badges, 1)]
    for offset, user_id in enumerate(extra, len(users) + 1):
        users.append(EmulatedUser(uid=offset, user_id=user_id, name="Visitor"))
    return users
