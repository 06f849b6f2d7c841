"""approval_reminders: re-route, remind approvers, escalate to HR (daily at REMINDER_PENDING_TIME)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from shared.services.actor import Actor
from shared.services.attendance.processing import today_in
from shared.services.jobs import JobContext
from shared.services.leave.decisions import reroute_pending
from shared.services.notify.reminders import escalate_to_hr, remind_approvers

if TYPE_CHECKING:
    from scheduler.runner import Clients

JOB = "approval_reminders"


async def run(ctx: JobContext, clients: Clients) -> None:
    """Pass requests on from approvers who are away, remind approvers of what waits, escalate old requests."""
    settings = clients.settings
    now = clients.clock()
    today = today_in(settings.company_timezone, now)
    async with ctx.step("re-route requests whose approver is away") as step:
        async with clients.db.transaction() as session:
            step.count(rerouted=await reroute_pending(session, today=today, actor=Actor.system(JOB), now=now))
    async with ctx.step("remind approvers") as step:
        async with clients.db.transaction() as session:
            reminded = await remind_approvers(session, today=today)
        step.count(**asdict(reminded))
        if not reminded.requests:
            step.skip("no request is pending")
    async with ctx.step("escalate to HR") as step:
        if settings.escalate_after_days <= 0:
            step.skip("ESCALATE_AFTER_DAYS is 0")
        async with clients.db.transaction() as session:
            escalated = await escalate_to_hr(
                session, today=today, now=now, after_days=settings.escalate_after_days,
                company_timezone=settings.company_timezone,
            )  # fmt: skip
        step.count(**asdict(escalated))
