"""retention: anonymise the people who left more than RETENTION_YEARS ago (daily at RETENTION_TIME)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.services.actor import Actor
from shared.services.attendance.processing import today_in
from shared.services.jobs import JobContext
from shared.services.privacy.retention import run_retention

if TYPE_CHECKING:
    from scheduler.runner import Clients

JOB = "retention"


async def run(ctx: JobContext, clients: Clients, *, dry_run: bool = False) -> None:
    """Anonymise everyone who left before the retention cutoff and is not under a legal hold."""
    settings, now = clients.settings, clients.clock()
    today = today_in(settings.company_timezone, now)
    async with ctx.step("check the policy") as step:
        if settings.retention_years <= 0:
            step.stop("RETENTION_YEARS is 0: personal data is kept")
    async with ctx.step("anonymise who is due") as step:
        async with clients.db.transaction() as session:
            report = await run_retention(
                session, actor=Actor.system(JOB), today=today, now=now, years=settings.retention_years, dry_run=dry_run
            )
        ctx.counts["cutoff"] = report.cutoff.isoformat() if report.cutoff else None
        ctx.counts["dry_run"] = dry_run
        ctx.counts["due_codes"] = [d.code for d in report.due][:200]
        ctx.counts["held_codes"] = [d.code for d in report.held][:200]
        step.count(
            due=len(report.due), held=len(report.held), skipped=len(report.skipped), anonymised=report.anonymised
        )
