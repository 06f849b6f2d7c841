"""Today's simulated badge punches: each person's shift on the clock, in and out alternating.

The plan of a day is fixed by its date (a seeded generator), so the punches already due when the demo
starts and those that fall due while it runs come from the same plan and never repeat: the runner writes
the due ones to the device at start, then every few seconds those that came due since. A day-shift
person arrives around 09:00, may step out for lunch (out, then in again), and leaves around 18:00; a
night-shift person arrives around 22:00 and leaves around 06:00 the next morning. Nothing is planned on
weekends, and nobody punches at a time that has not come yet.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sandbox.demo.punches import EMPLOYEE_ZONE, IN, OUT, Badge


@dataclass(frozen=True, order=True)
class PlannedPunch:
    moment: datetime
    device_user_id: str
    code: int  # IN or OUT


def _at(day: date, clock: time, minutes: int) -> datetime:
    return datetime.combine(day, clock, EMPLOYEE_ZONE) + timedelta(minutes=minutes)


def shift_punches(badge: Badge, day: date) -> list[PlannedPunch]:
    """The punches of the shift that starts on ``day`` (empty on weekends), in order, in and out alternating."""
    if day.isoweekday() > 5:
        return []
    rng = random.Random(f"{badge.device_user_id}:{day.isoformat()}")
    uid = badge.device_user_id
    if badge.night:
        return [PlannedPunch(_at(day, time(22), rng.randint(-10, 5)), uid, IN),
                PlannedPunch(_at(day + timedelta(days=1), time(6), rng.randint(0, 12)), uid, OUT)]  # fmt: skip
    punches = [PlannedPunch(_at(day, time(9), rng.randint(-15, 5)), uid, IN)]
    if rng.random() < 0.4:  # a lunch break: out and back in
        out = _at(day, time(12), rng.randint(0, 90))
        punches += [PlannedPunch(out, uid, OUT), PlannedPunch(out + timedelta(minutes=rng.randint(25, 55)), uid, IN)]
    punches.append(PlannedPunch(_at(day, time(18), rng.randint(0, 20)), uid, OUT))
    return punches


def due_punches(
    badges: Iterable[Badge], *, after: datetime | None, until: datetime, since_yesterday: bool = True
) -> list[PlannedPunch]:
    """The planned punches in ``(after, until]`` of the shifts that started today (and yesterday, whose night
    shift ends this morning, unless ``since_yesterday`` is off: the history already holds yesterday), oldest
    first; ``after=None`` means from the start of those shifts."""
    today = until.astimezone(EMPLOYEE_ZONE).date()
    days = (today - timedelta(days=1), today) if since_yesterday else (today,)
    found = [
        punch
        for badge in badges
        for day in days
        for punch in shift_punches(badge, day)
        if punch.moment <= until and (after is None or punch.moment > after)
    ]
    return sorted(found)
