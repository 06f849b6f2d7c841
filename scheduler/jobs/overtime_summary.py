"""overtime_summary: each approver gets last week's undecided overtime, with buttons (weekly, on
OVERTIME_SUMMARY_WEEKDAY at OVERTIME_SUMMARY_TIME)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from shared.domain.overtime import week_start
from shared.services.attendance.processing import today_in
from shared.services.jobs import JobContext
from shared.services.timekeeping.overtime import send_weekly_summaries

if TYPE_CHECKING:
    from scheduler.runner import Clients

JOB = "overtime_summary"


async def run(ctx: JobContext, clients: Clients) -> None:
    """Send every approver the overtime of last week (Monday to Sunday) that nobody has decided yet."""
    settings = clients.settings
    today = today_in(settings.company_timezone, clients.clock())
    async with ctx.step("send the weekly overtime summaries") as step:
        if not settings.overtime_enabled:
            step.skip("OVERTIME_ENABLED is off")
        week = week_start(today) - timedelta(days=7)
        ctx.counts["week"] = week.isoformat()
        async with clients.db.transaction() as session:
            sent = await send_weekly_summaries(session, week=week, today=today)
        step.count(messages=sent)
