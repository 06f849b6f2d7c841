"""hr_digest: yesterday's attendance exceptions to every HR person (daily at DIGEST_TIME)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from shared.model import DailyAttendance
from shared.services.attendance.processing import process_days, today_in
from shared.services.jobs import JobContext
from shared.services.notify.delivery import send_digest
from shared.services.notify.digest import load_digest

if TYPE_CHECKING:
    from scheduler.runner import Clients

JOB = "hr_digest"


async def run(ctx: JobContext, clients: Clients, *, day: date | None = None, resend: bool = False) -> None:
    """Send the digest of ``day`` (yesterday) with an XLSX, in each HR person's language; once per person."""
    settings, now = clients.settings, clients.clock()
    tz = settings.company_timezone
    today = today_in(tz, now)
    day = day or today - timedelta(days=1)
    ctx.counts["date"] = day.isoformat()
    async with ctx.step("make sure the day is processed") as step:
        async with clients.db.session() as session:
            rows = await session.scalar(
                select(func.count()).select_from(DailyAttendance).where(DailyAttendance.date == day)
            )
        if rows:
            step.skip(f"{rows} attendance rows of {day} exist")
        async with clients.db.transaction() as session:
            stats = await process_days(session, date_from=day, date_to=day, now=now, company_timezone=tz)
        step.count(rows_written=stats.rows_written)
    async with ctx.step("load the digest") as step:
        async with clients.db.session() as session:
            digest = await load_digest(session, day=day, today=today, company_timezone=tz, now=now)
        step.count(
            exceptions=digest.exception_count,
            unknown_users=len(digest.unknown_users),
            offline_devices=len(digest.offline_devices),
            dead_messages=digest.dead_outbox,
            out_today=len(digest.who_is_out),
        )
        ctx.counts["quiet"] = digest.is_quiet
    async with ctx.step("send it to HR") as step:
        async with clients.db.transaction() as session:
            delivery = await send_digest(
                session, digest=digest, company_timezone=tz, default_locale=settings.default_locale, resend=resend
            )
        step.count(**asdict(delivery))
        if not delivery.recipients:
            step.skip("no active HR or admin employee")
