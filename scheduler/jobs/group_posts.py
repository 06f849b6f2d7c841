"""group_posts: who of the department is away today and this week, to each linked group (daily at GROUP_POST_TIME)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.services.absences.groups import post_mornings
from shared.services.attendance.processing import today_in
from shared.services.jobs import JobContext

if TYPE_CHECKING:
    from scheduler.runner import Clients

JOB = "group_posts"


async def run(ctx: JobContext, clients: Clients) -> None:
    """Post today's "who is away" to every linked group once (not on a day nobody of the department works)."""
    settings = clients.settings
    today = today_in(settings.company_timezone, clients.clock())
    ctx.counts["date"] = today.isoformat()
    async with ctx.step("post to the linked groups") as step:
        async with clients.db.transaction() as session:
            posted, quiet = await post_mornings(
                session, today=today, default_locale=settings.default_locale,
                company_timezone=settings.company_timezone,
            )  # fmt: skip
        step.count(posted=posted, nobody_works=quiet)
        if not posted and not quiet:
            step.skip("no linked group waits for today's post")
