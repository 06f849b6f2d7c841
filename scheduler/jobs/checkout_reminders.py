"""checkout_reminders: remind employees still checked in after their shift (every CHECKOUT_SCAN_MINUTES)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from shared.services.jobs import JobContext
from shared.services.notify.reminders import remind_checkouts

if TYPE_CHECKING:
    from scheduler.runner import Clients

JOB = "checkout_reminders"


async def run(ctx: JobContext, clients: Clients) -> None:
    """Tell whoever is still checked in CHECKOUT_REMINDER_MINUTES after their shift ended (once per shift)."""
    settings = clients.settings
    async with ctx.step("remind employees still checked in after their shift") as step:
        async with clients.db.transaction() as session:
            stats = await remind_checkouts(
                session,
                now=clients.clock(),
                company_timezone=settings.company_timezone,
                after_minutes=settings.checkout_reminder_minutes,
            )
        step.count(**asdict(stats))
        if not stats.due:
            step.skip("no shift ended in the reminder window")
