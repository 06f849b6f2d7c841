"""The demo's deeper workflows: a missed punch corrected and one waiting for the manager, last week's
overtime summary with its buttons, and a lateness notice (run once, after the first processing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from sandbox.demo.punches import last_working_day
from shared.config import Settings
from shared.domain.enums import Direction
from shared.domain.overtime import week_start
from shared.model import Employee
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.timekeeping.corrections import decide_correction, request_correction
from shared.services.timekeeping.lateness import evaluate_lateness, policy_from_settings
from shared.services.timekeeping.overtime import send_weekly_summaries

# (who asks, whether their approver approves it or leaves it waiting, local time of the check-out, why)
CORRECTIONS = (
    ("E014", True, time(18, 5), "Forgot to badge out at the gate"),
    ("E007", False, time(18, 10), "The reader at the door did not beep"),
)
HR_CODE = "E002"  # decides when nobody in the chain can be reached


@dataclass
class WorkflowsShown:
    corrections: int = 0
    approved: int = 0
    lateness_notices: int = 0
    overtime_summaries: int = 0


async def _person(db: Database, code: str) -> Employee:
    async with db.session() as session:
        person = await session.scalar(select(Employee).where(Employee.code == code))
    assert person is not None, code
    return person


async def show_workflows(db: Database, settings: Settings, *, today: date, now: datetime) -> WorkflowsShown:
    """Corrections (one approved, one waiting), the lateness policy, last week's overtime summary."""
    shown = WorkflowsShown()
    day = last_working_day(today)
    for asker_code, approve, at, reason in CORRECTIONS:
        asker = await _person(db, asker_code)
        async with db.transaction() as session:
            correction = await request_correction(
                session, actor=Actor.for_employee(asker.id, asker.role), employee_id=asker.id, day=day, at=at,
                direction=Direction.OUT, reason=reason, now=now, idempotency_key=f"demo:{asker_code}",
            )  # fmt: skip
        shown.corrections += 1
        if not approve:
            continue
        async with db.session() as session:
            decider = await session.get(Employee, correction.approver_id) if correction.approver_id else None
        decider = decider or await _person(db, HR_CODE)
        async with db.transaction() as session:
            outcome = await decide_correction(
                session, actor=Actor.for_employee(decider.id, decider.role), correction_id=correction.id,
                approve=True, now=now,
            )  # fmt: skip
        shown.approved += int(outcome.changed)
    async with db.transaction() as session:
        policy = await policy_from_settings(session, settings)
        notices = await evaluate_lateness(
            session, as_of=today - timedelta(days=1), now=now, actor=Actor.system("demo"), policy=policy
        )
        shown.lateness_notices = len(notices)
    async with db.transaction() as session:
        week = week_start(today) - timedelta(days=7)
        shown.overtime_summaries = await send_weekly_summaries(session, week=week, today=today)
    return shown
