"""Overtime: what waits for a decision, deciding a person's days (weekly in the bot), time off in lieu.

Overtime minutes are written on the daily rows by processing (``daily_attendance.overtime_minutes``). A
decision covers the final days of one person in a date range that have overtime and no decision yet; each
day gets one ``overtime_decisions`` row (unique per person and day, so two deciders at once decide once).
Approving credits ``TOIL_LEAVE_TYPE`` with minutes × ``TOIL_RATE`` ÷ ``TOIL_DAY_MINUTES`` days through the
ledger; HR can reverse an approval, which posts a reversal of exactly that credit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.domain.enums import LedgerKind, OvertimeStatus
from shared.domain.ledger import LedgerPosting
from shared.domain.overtime import toil_days, toil_entry, toil_key, toil_reversal
from shared.errors import N_, Conflict, Forbidden, Invalid, NotFound
from shared.model import DailyAttendance, Employee, LeaveLedgerEntry, LeaveType, OvertimeDecision
from shared.notify import timekeeping_messages as msg
from shared.persistence.locks import lock_rows
from shared.services.actor import Actor
from shared.services.audit import audit, snapshot
from shared.services.leave.postings import post_entries
from shared.services.leave.routing import route_for
from shared.services.lookups import get_employee, hr_people
from shared.services.reach import notify_person, reachable

MAX_SPAN_DAYS = 62


@dataclass(frozen=True)
class OvertimeDay:
    employee_id: int
    date: date
    minutes: int


@dataclass
class OvertimeOutcome:
    """What one decision did: the rows it wrote (empty when everything was already decided)."""

    decisions: list[OvertimeDecision] = field(default_factory=list)
    credit_days: Decimal = Decimal(0)

    @property
    def changed(self) -> bool:
        return bool(self.decisions)

    @property
    def minutes(self) -> int:
        return sum(d.minutes for d in self.decisions)


async def toil_type(session: AsyncSession) -> LeaveType | None:
    """The time-off-in-lieu leave type (``TOIL_LEAVE_TYPE``), if configured and present."""
    code = get_settings().toil_leave_type.strip()
    if not code:
        return None
    return await session.scalar(select(LeaveType).where(LeaveType.code == code))


async def undecided_overtime(
    session: AsyncSession, *, date_from: date, date_to: date, employee_ids: list[int] | None = None
) -> list[OvertimeDay]:
    """Final days with overtime and no decision yet, by person then date."""
    decided = and_(
        OvertimeDecision.employee_id == DailyAttendance.employee_id, OvertimeDecision.date == DailyAttendance.date
    )
    query = (
        select(DailyAttendance.employee_id, DailyAttendance.date, DailyAttendance.overtime_minutes)
        .outerjoin(OvertimeDecision, decided)
        .where(
            DailyAttendance.date.between(date_from, date_to), DailyAttendance.overtime_minutes > 0,
            DailyAttendance.is_final.is_(True), OvertimeDecision.id.is_(None),
        )
        .order_by(DailyAttendance.employee_id, DailyAttendance.date)
    )  # fmt: skip
    if employee_ids is not None:
        query = query.where(DailyAttendance.employee_id.in_(employee_ids))
    return [OvertimeDay(e, d, m) for e, d, m in (await session.execute(query)).all()]


async def may_decide(session: AsyncSession, actor: Actor, employee: Employee, today: date) -> bool:
    """HR, or the person's approver as routed today; never the person themselves."""
    if actor.acts_on_self(employee.id):
        return False
    if actor.is_hr:
        return True
    route = await route_for(session, employee, today)
    return actor.employee_id is not None and actor.employee_id == route.approver_id


async def decide_overtime(
    session: AsyncSession,
    *,
    actor: Actor,
    employee_id: int,
    date_from: date,
    date_to: date,
    approve: bool,
    comment: str | None = None,
    today: date,
    now: datetime,
) -> OvertimeOutcome:
    """Approve or reject every undecided overtime day of one person in [date_from, date_to]."""
    if date_to < date_from or (date_to - date_from).days > MAX_SPAN_DAYS:
        raise Invalid(N_("Pick a range of at most {n} days, the end not before the start."), n=MAX_SPAN_DAYS)
    employee = await get_employee(session, employee_id)
    if not await may_decide(session, actor, employee, today):
        raise Forbidden(N_("Only {name}'s approver or HR can decide on their overtime."), name=employee.full_name)
    await lock_rows(session, Employee, [employee.id])
    days = await undecided_overtime(session, date_from=date_from, date_to=date_to, employee_ids=[employee.id])
    outcome = OvertimeOutcome()
    if not days:
        return outcome
    settings = get_settings()
    leave_type = await toil_type(session) if approve else None
    decider = await _name(session, actor)
    postings: list[LedgerPosting] = []
    for day in days:
        credit = (
            toil_days(day.minutes, rate=settings.toil_rate, day_minutes=settings.toil_day_minutes)
            if leave_type is not None
            else Decimal(0)
        )
        row = OvertimeDecision(
            employee_id=employee.id, date=day.date, minutes=day.minutes,
            status=OvertimeStatus.APPROVED if approve else OvertimeStatus.REJECTED, credit_days=credit,
            leave_type_id=leave_type.id if leave_type is not None and credit > 0 else None,
            decided_by_id=actor.employee_id, decided_by=decider, decided_at=now,
            comment=(comment or "").strip()[:2000] or None,
        )  # fmt: skip
        session.add(row)
        await session.flush()
        audit(session, actor, "approve" if approve else "reject", "overtime_decision", row.id, new=snapshot(row))
        if leave_type is not None:
            entry = toil_entry(
                decision_id=row.id, employee_id=employee.id, leave_type_id=leave_type.id, day=day.date,
                minutes=day.minutes, days=credit, on=today,
            )  # fmt: skip
            if entry is not None:
                postings.append(entry)
        outcome.decisions.append(row)
        outcome.credit_days += credit
    await post_entries(session, postings, actor)
    text = msg.overtime_for_employee(employee.locale, date_from, outcome.minutes, approve, decider, outcome.credit_days)
    notify_person(session, employee, text=text)
    return outcome


async def reverse_overtime(
    session: AsyncSession, *, actor: Actor, employee_id: int, day: date, reason: str | None, today: date, now: datetime
) -> OvertimeDecision:
    """HR takes back an approved overtime day: a reversal of exactly its credit; the decision says so."""
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can take back approved overtime."))
    if actor.acts_on_self(employee_id):
        raise Forbidden(N_("You cannot take back your own overtime; ask another HR person."))
    if not (reason or "").strip():
        raise Invalid(N_("Please say why the overtime is taken back."), details={"field": "reason"})
    await lock_rows(session, Employee, [employee_id])
    row = await session.scalar(
        select(OvertimeDecision)
        .where(OvertimeDecision.employee_id == employee_id, OvertimeDecision.date == day)
        .with_for_update()
    )
    if row is None:
        raise NotFound(N_("No overtime decision for employee {id} on {date}."), id=employee_id, date=day)
    if row.status is not OvertimeStatus.APPROVED:
        raise Conflict(N_("Only approved overtime can be taken back."), details={"status": row.status.value})
    before = snapshot(row)
    credit = await session.scalar(select(LeaveLedgerEntry).where(LeaveLedgerEntry.key == toil_key(row.id)))
    if credit is not None:
        posting = LedgerPosting(
            credit.employee_id, credit.leave_type_id, LedgerKind.TOIL, credit.delta, credit.effective_date,
            credit.key, note=credit.note,
        )  # fmt: skip
        await post_entries(session, [toil_reversal(posting, decision_id=row.id, on=today)], actor)
    row.status = OvertimeStatus.REVERSED
    row.reversed_by = actor.label
    row.reversed_at = now
    row.comment = "\n".join(part for part in (row.comment, (reason or "").strip()) if part)[:2000] or None
    await session.flush()
    audit(session, actor, "reverse", "overtime_decision", row.id, old=before, new=snapshot(row))
    employee = await get_employee(session, employee_id)
    who = await _name(session, actor)
    text = msg.overtime_reversed(employee.locale, day, credit.delta if credit is not None else Decimal(0), who)
    notify_person(session, employee, text=text)
    return row


async def _name(session: AsyncSession, actor: Actor) -> str:
    if actor.employee_id:
        person = await session.get(Employee, actor.employee_id)
        if person is not None:
            return person.full_name
    return actor.label.split(":", 1)[-1]


async def weekly_lines(session: AsyncSession, *, week: date, today: date) -> dict[int | None, list[msg.OvertimeLine]]:
    """The undecided overtime of the week starting ``week`` (Monday), per person, grouped by approver today
    (``None``: nobody can be routed to; HR decides)."""
    days = await undecided_overtime(session, date_from=week, date_to=week + timedelta(days=6))
    by_person: dict[int, list[OvertimeDay]] = {}
    for day in days:
        by_person.setdefault(day.employee_id, []).append(day)
    by_approver: dict[int | None, list[msg.OvertimeLine]] = {}
    for employee_id, own in by_person.items():
        employee = await get_employee(session, employee_id)
        route = await route_for(session, employee, today)
        line = msg.OvertimeLine(employee.id, employee.full_name, tuple((d.date, d.minutes) for d in own))
        by_approver.setdefault(route.approver_id, []).append(line)
    return by_approver


async def overtime_waiting_for(
    session: AsyncSession, *, approver_id: int, include_unrouted: bool, week: date, today: date
) -> list[msg.OvertimeLine]:
    """What of that week's overtime waits on one approver (HR also gets what nobody could be routed to)."""
    grouped = await weekly_lines(session, week=week, today=today)
    lines = grouped.get(approver_id, []) + (grouped.get(None, []) if include_unrouted else [])
    return [line for line in lines if line.employee_id != approver_id]


async def send_weekly_summaries(session: AsyncSession, *, week: date, today: date) -> int:
    """Tell each approver the undecided overtime of the week starting ``week`` (Monday), with buttons.

    Returns how many messages were queued. People nobody can be routed to go to every HR person.
    """
    by_approver = await weekly_lines(session, week=week, today=today)
    sent = 0
    for approver_id, lines in by_approver.items():
        if approver_id is not None:
            people = [await get_employee(session, approver_id)]
        else:
            people = await hr_people(session)
        for person in people:
            if not reachable(person):
                continue
            mine = [line for line in lines if line.employee_id != person.id]
            for start in range(0, len(mine), 20):  # Telegram keyboards stay small
                text, keyboard = msg.overtime_summary(person.locale, week, mine[start : start + 20])
                notify_person(session, person, text=text, buttons=keyboard)
                sent += 1
    return sent
