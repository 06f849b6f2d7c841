"""Re-processing past days whose truth changed, in the caller's transaction.

Whatever changes what a past day was (a leave decision or cancellation, a holiday, a shift or its
assignment, a badge, hire and leaving dates) calls :func:`refresh_days` in the same transaction, so
``GET /attendance/daily`` shows the change as soon as the call returns.

Rules decided here:
- Only days up to today (the company's date) are re-processed; future days have nothing to say yet.
- Days within ``ATTENDANCE_LOOKBACK_DAYS`` of today are re-processed at once. Older days are left as
  they are, because payroll may have used them, and are reported: in the returned
  :class:`Refreshed` (API responses show it) and in an audit row ``reprocess`` / ``daily_attendance``.
- A manual override is kept, as in nightly processing.
- The working-time rules are re-evaluated for the re-processed days (``compliance_violations``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days, today_in
from shared.services.audit import audit
from shared.services.compliance.evaluation import evaluate_window


@dataclass(frozen=True)
class Refreshed:
    """Which days were re-processed and which (older) ones were not."""

    reprocessed: tuple[date, date] | None = None
    not_reprocessed: tuple[date, date] | None = None
    rows_written: int = 0

    def as_dict(self) -> dict[str, Any]:
        def span(value: tuple[date, date] | None) -> dict[str, str] | None:
            return None if value is None else {"from": value[0].isoformat(), "to": value[1].isoformat()}

        return {"reprocessed": span(self.reprocessed), "not_reprocessed": span(self.not_reprocessed)}


SESSION_KEY = "attendance_refreshed"


def _union(a: tuple[date, date] | None, b: tuple[date, date] | None) -> tuple[date, date] | None:
    if a is None or b is None:
        return a or b
    return min(a[0], b[0]), max(a[1], b[1])


def refreshed_in(session: AsyncSession) -> Refreshed | None:
    """What this transaction re-processed so far (and left alone), all calls together; None if nothing."""
    found: list[Refreshed] = session.info.get(SESSION_KEY, [])
    if not found:
        return None
    done, skipped = None, None
    for item in found:
        done, skipped = _union(done, item.reprocessed), _union(skipped, item.not_reprocessed)
    return Refreshed(done, skipped, sum(item.rows_written for item in found))


def split_range(first: date, last: date, *, today: date, lookback_days: int) -> Refreshed:
    """The part of [first, last] re-processed now and the older part left alone (no I/O)."""
    last = min(last, today)
    if last < first:
        return Refreshed()
    oldest = today - timedelta(days=lookback_days)
    done = (max(first, oldest), last) if last >= oldest else None
    skipped = (first, min(last, oldest - timedelta(days=1))) if first < oldest else None
    return Refreshed(done, skipped)


async def refresh_days(
    session: AsyncSession,
    *,
    employee_ids: Sequence[int] | None,
    date_from: date,
    date_to: date,
    now: datetime,
    actor: Actor,
    why: str,
) -> Refreshed:
    """Re-process these employees' days (everyone's when ``employee_ids`` is None) in [date_from, date_to]."""
    if employee_ids is not None and not employee_ids:
        return Refreshed()
    settings = get_settings()
    tz = settings.company_timezone
    plan = split_range(date_from, date_to, today=today_in(tz, now), lookback_days=settings.attendance_lookback_days)
    written = 0
    if plan.reprocessed is not None:
        first, last = plan.reprocessed
        stats = await process_days(
            session, date_from=first, date_to=last, now=now, company_timezone=tz, employee_ids=employee_ids
        )
        written = stats.rows_written
        await evaluate_window(
            session, date_from=first, date_to=last, now=now, company_timezone=tz, employee_ids=employee_ids
        )
    result = Refreshed(plan.reprocessed, plan.not_reprocessed, written)
    session.info.setdefault(SESSION_KEY, []).append(result)
    if result.reprocessed is not None or result.not_reprocessed is not None:
        detail = {**result.as_dict(), "why": why, "rows_written": written}
        detail["employees"] = "all" if employee_ids is None else sorted(set(employee_ids))[:100]
        audit(session, actor, "reprocess", "daily_attendance", None, new=detail)
    return result
