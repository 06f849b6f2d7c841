"""expire_carry_over: expire carried-over days past their type's expiry date (daily at LEDGER_TIME)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.services.actor import Actor
from shared.services.attendance.processing import today_in
from shared.services.jobs import JobContext
from shared.services.leave.balances import expire_carry_over

if TYPE_CHECKING:
    from scheduler.runner import Clients

JOB = "expire_carry_over"


async def run(ctx: JobContext, clients: Clients) -> None:
    """Post the expiry of what is left of this year's carried-over days once their expiry date has passed."""
    today = today_in(clients.settings.company_timezone, clients.clock())
    async with ctx.step("expire carried-over days") as step:
        async with clients.db.transaction() as session:
            step.count(expired=await expire_carry_over(session, today=today, actor=Actor.system(JOB)))
