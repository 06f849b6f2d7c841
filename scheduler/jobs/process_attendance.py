"""process_attendance: turn punches into daily attendance (nightly, after ATTENDANCE_PROCESS_TIME), then evaluate
the working-time rules for the same days (compliance violations)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from shared.services.actor import Actor
from shared.services.attendance.processing import process_days, stale_days, today_in
from shared.services.compliance.evaluation import evaluate_window
from shared.services.jobs import JobContext
from shared.services.timekeeping.lateness import evaluate_lateness, policy_from_settings

if TYPE_CHECKING:
    from scheduler.runner import Clients

JOB = "process_attendance"
CHUNK_DAYS = 31


def spans(days: list[date], limit: int = CHUNK_DAYS) -> list[tuple[date, date]]:
    """Sorted days as contiguous [first, last] ranges of at most ``limit`` days."""
    found: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if found and day - found[-1][1] == timedelta(days=1) and (day - found[-1][0]).days < limit:
            found[-1] = (found[-1][0], day)
        else:
            found.append((day, day))
    return found


async def run(ctx: JobContext, clients: Clients, *, date_from: date | None = None, date_to: date | None = None) -> None:
    """Process yesterday and every earlier day (ATTENDANCE_LOOKBACK_DAYS back) that got punches since it was
    processed, or exactly ``date_from``..``date_to`` when given; then evaluate the lateness policy."""
    settings, now = clients.settings, clients.clock()
    tz = settings.company_timezone
    async with ctx.step("choose the days") as step:
        if date_from is not None:
            last = date_to or date_from
            days = [date_from + timedelta(days=i) for i in range((last - date_from).days + 1)]
        else:
            yesterday = today_in(tz, now) - timedelta(days=1)
            async with clients.db.session() as session:
                stale = await stale_days(
                    session, today=yesterday + timedelta(days=1), lookback_days=settings.attendance_lookback_days,
                    company_timezone=tz,
                )  # fmt: skip
            days = sorted({yesterday, *stale})
            step.count(stale=len(set(stale) - {yesterday}))
        step.count(days=len(days))
        ctx.counts["ranges"] = [f"{a}..{b}" if a != b else str(a) for a, b in spans(days)]
        if not days:
            step.stop("no day to process")
    async with ctx.step("process the days") as step:
        ctx.progress.start(len(days), "days")
        for first, last in spans(days):
            async with clients.db.transaction() as session:
                stats = await process_days(session, date_from=first, date_to=last, now=now, company_timezone=tz)
                found = await evaluate_window(session, date_from=first, date_to=last, now=now, company_timezone=tz)
            step.count(rows_written=stats.rows_written, punches=stats.punches, overrides_kept=stats.overrides_kept)
            step.count(violations_found=found.found, violations_created=found.created, violations_removed=found.removed)
            ctx.counts["employees"] = stats.employees
            ctx.progress.advance((last - first).days + 1, f"{first}..{last}")
    async with ctx.step("evaluate the lateness policy") as step:
        async with clients.db.transaction() as session:
            policy = await policy_from_settings(session, settings)
            if not policy.active:
                step.skip("LATENESS_COUNT is 0")
            as_of = max(days) if date_from is not None else today_in(tz, now) - timedelta(days=1)
            notices = await evaluate_lateness(session, as_of=as_of, now=now, actor=Actor.system(JOB), policy=policy)
        step.count(lateness_notices=len(notices))
