"""Missed-punch corrections: which instant a "forgot to check out at 18:10" means, and who may decide.

Rules decided here:

* The person names a **shift day** and a **local time**. The instant is that time on the day, or on the next
  calendar day when only that belongs to the shift day (a night shift's 06:10 check-out); a time that
  belongs to neither (the next day's shift) is refused.
* A correction may be asked for today or an earlier day within the lookback (``ATTENDANCE_LOOKBACK_DAYS``:
  older days are not re-processed), never for an instant in the future, and needs a reason.
* **Deciding**: the correction's approver (routed like a leave request) or HR, never the person themselves,
  and only while it is pending. An approved correction becomes exactly one punch of source ``correction``.
"""

from __future__ import annotations

import datetime as dt

from shared.domain.enums import CorrectionStatus
from shared.domain.shift_window import ShiftRule, shift_day_at
from shared.errors import N_, Invalid

MAX_REASON = 2000


def correction_instant(day: dt.date, at: dt.time, shift: ShiftRule | None, tz: dt.tzinfo) -> dt.datetime:
    """The instant of ``at`` (local) that belongs to shift day ``day``; Invalid when none does."""
    for candidate_day in (day, day + dt.timedelta(days=1)):
        instant = dt.datetime.combine(candidate_day, at.replace(tzinfo=None), tz)
        if shift_day_at(instant, shift, tz)[0] == day:
            return instant.astimezone(dt.UTC)
    raise Invalid(
        N_("{time} does not belong to the shift of {date}; pick the day the punch belongs to."),
        details={"field": "time"},
        time=at,
        date=day,
    )


def check_request(
    *, day: dt.date, instant: dt.datetime, reason: str | None, today: dt.date, now: dt.datetime, lookback_days: int
) -> str:
    """The cleaned reason; Invalid when the day, the instant or the reason cannot be accepted."""
    if day > today:
        raise Invalid(N_("{date} is in the future: a correction is for a day that has begun."), date=day)
    if day < today - dt.timedelta(days=lookback_days):
        raise Invalid(
            N_("Corrections go back {n} days at most; ask HR to correct {date}."),
            details={"field": "date"},
            n=lookback_days,
            date=day,
        )
    if instant > now:
        raise Invalid(N_("A punch cannot be in the future."), details={"field": "time"})
    cleaned = (reason or "").strip()[:MAX_REASON]
    if not cleaned:
        raise Invalid(N_("Please say why the punch is missing."), details={"field": "reason"})
    return cleaned


def decide_violation(
    *,
    actor_id: int | None,
    actor_is_hr: bool,
    employee_id: int,
    approver_id: int | None,
    status: CorrectionStatus,
) -> str | None:
    """Why this actor may not decide now (``already_decided``, ``own_request``, ``not_approver``); None if they may."""
    if status is not CorrectionStatus.PENDING:
        return "already_decided"
    if actor_id is not None and actor_id == employee_id:
        return "own_request"
    if actor_is_hr or (actor_id is not None and actor_id == approver_id):
        return None
    return "not_approver"
