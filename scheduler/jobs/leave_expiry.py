"""leave_expiry: escalate requests nobody decided in time, then let them expire (daily at REMINDER_PENDING_TIME)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from shared.services.actor import Actor
from shared.services.attendance.processing import today_in
from shared.services.jobs import JobContext
from shared.services.leave.expiry import escalate_or_expire

if TYPE_CHECKING:
    from scheduler.runner import Clients

JOB = "leave_expiry"


async def run(ctx: JobContext, clients: Clients) -> None:
    """Escalate requests waiting longer than their type allows to the next level or HR, then expire them."""
    settings = clients.settings
    now = clients.clock()
    today = today_in(settings.company_timezone, now)
    async with ctx.step("escalate or expire overdue requests") as step:
        async with clients.db.transaction() as session:
            stats = await escalate_or_expire(session, today=today, now=now, actor=Actor.system(JOB))
        step.count(**asdict(stats))
        if not stats.checked:
            step.skip("no pending request of a type with an expiry")
