"""accrual: post the monthly leave accruals (on the 1st of every month at LEDGER_TIME)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.services.actor import Actor
from shared.services.attendance.processing import today_in
from shared.services.jobs import JobContext
from shared.services.leave.balances import accrue_month

if TYPE_CHECKING:
    from scheduler.runner import Clients

JOB = "accrual"


async def run(ctx: JobContext, clients: Clients) -> None:
    """Post this month's accrual of every monthly type, and last month's if that run was missed (idempotent)."""
    today = today_in(clients.settings.company_timezone, clients.clock())
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    actor = Actor.system(JOB)
    async with ctx.step("catch up last month") as step:
        async with clients.db.transaction() as session:
            step.count(caught_up=await accrue_month(session, year=year, month=month, actor=actor))
    async with ctx.step("post this month") as step:
        async with clients.db.transaction() as session:
            step.count(posted=await accrue_month(session, year=today.year, month=today.month, actor=actor))
