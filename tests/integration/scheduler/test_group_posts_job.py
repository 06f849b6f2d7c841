"""The group_posts and group_approvals jobs through the runner: counted, once per day, off unless enabled."""

from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal

from scheduler.runner import JobRunner
from shared.domain.enums import JobStatus, LeaveStatus
from shared.model import Employee, LeaveRequest
from shared.persistence import Database
from shared.services.absences.groups import link_group
from tests.factories import make_company
from tests.integration.scheduler.support import Clock, berlin, outbox

GROUP = -4242
TUESDAY = date(2026, 12, 1)


async def test_the_morning_job_posts_to_each_linked_group_once_a_day(db: Database, runner: JobRunner, clock: Clock):
    company = await make_company(db)
    async with db.transaction() as s:
        manager = await s.get(Employee, company.manager_id)
        assert manager is not None
        await link_group(s, chat_id=GROUP, title="Ops", department_name="Ops", person=manager, is_chat_admin=True,
                         actor=company.manager, now=berlin(TUESDAY, 7).astimezone(UTC))  # fmt: skip
    clock.now = berlin(TUESDAY, 8, 30).astimezone(UTC)

    first = await runner.run("group_posts", trigger="schedule")
    again = await runner.run("group_posts", trigger="cli")

    assert first is not None and first.status is JobStatus.SUCCESS, first.error
    assert (first.counts["posted"], first.counts["nobody_works"], first.counts["date"]) == (1, 0, "2026-12-01")
    assert again is not None and again.counts["posted"] == 0
    [post] = await outbox(db, GROUP)
    assert "Everyone is in." in post.payload["text"]


async def test_the_approvals_job_posts_new_approvals_only_when_enabled(db: Database, runner: JobRunner, clock: Clock):
    company = await make_company(db)
    linked_at = berlin(TUESDAY, 7).astimezone(UTC)
    async with db.transaction() as s:
        manager = await s.get(Employee, company.manager_id)
        assert manager is not None
        await link_group(s, chat_id=GROUP, title="Ops", department_name="Ops", person=manager, is_chat_admin=True,
                         actor=company.manager, now=linked_at)  # fmt: skip
        s.add(LeaveRequest(employee_id=company.bob_id, leave_type_id=company.annual_id, start_date=date(2026, 12, 9),
                           end_date=date(2026, 12, 9), working_days=Decimal(1), status=LeaveStatus.APPROVED,
                           decided_at=berlin(TUESDAY, 8).astimezone(UTC)))  # fmt: skip
    clock.now = berlin(TUESDAY, 9).astimezone(UTC)

    off = await runner.run("group_approvals", trigger="schedule")
    assert off is not None and off.status is JobStatus.SUCCESS and "groups_told" not in off.counts
    runner.clients.settings = runner.clients.settings.model_copy(update={"group_post_approvals": True})
    on = await runner.run("group_approvals", trigger="cli")
    assert on is not None and on.counts["groups_told"] == 1
    [post] = await outbox(db, GROUP)
    assert "Bob" in post.payload["text"] and "Annual leave" not in post.payload["text"]
