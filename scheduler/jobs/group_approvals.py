"""group_approvals: newly approved leave to the department's linked groups (every GROUP_APPROVALS_MINUTES)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.services.absences.groups import post_approvals
from shared.services.jobs import JobContext

if TYPE_CHECKING:
    from scheduler.runner import Clients

JOB = "group_approvals"


async def run(ctx: JobContext, clients: Clients) -> None:
    """Post the leave approved since the last look to each linked group (with GROUP_POST_APPROVALS)."""
    settings = clients.settings
    async with ctx.step("post new approvals") as step:
        if not settings.group_post_approvals:
            step.skip("GROUP_POST_APPROVALS is off")
        async with clients.db.transaction() as session:
            posted = await post_approvals(
                session, now=clients.clock(), default_locale=settings.default_locale,
                company_timezone=settings.company_timezone,
            )  # fmt: skip
        step.count(groups_told=posted)
