"""carry_over: close last year, carry the capped balance over, allocate yearly allowances (Jan 1, LEDGER_TIME)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.services.actor import Actor
from shared.services.attendance.processing import today_in
from shared.services.jobs import JobContext
from shared.services.leave.balances import allocate_year, carry_over

if TYPE_CHECKING:
    from scheduler.runner import Clients

JOB = "carry_over"


async def run(ctx: JobContext, clients: Clients) -> None:
    """Carry last year's balances into this year, then post this year's allocation of yearly types (idempotent)."""
    year = today_in(clients.settings.company_timezone, clients.clock()).year
    async with ctx.step("carry last year's balances over") as step:
        async with clients.db.transaction() as session:
            step.count(carried=await carry_over(session, into_year=year, actor=Actor.system(JOB)))
    async with ctx.step("allocate this year's yearly allowances") as step:
        async with clients.db.transaction() as session:
            step.count(allocated=await allocate_year(session, year=year, actor=Actor.system(JOB)))
