"""The lateness policy in practice: evaluated after the nightly processing, waived by HR.

Each new crossing (see :mod:`shared.domain.lateness`) becomes one ``lateness_notices`` row, a notice to the
person and their approver through the outbox, and (when the policy deducts) one ``lateness`` ledger posting.
The evaluation locks the person's row before reading their earlier notices, and the table is unique on
(person, crossing key), so two evaluations at once record one notice and one deduction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import Settings, get_settings
from shared.domain.enums import LatenessPeriod, LatenessStatus, LedgerKind
from shared.domain.lateness import LatenessPolicy, crossings, deduction_entry, lateness_key, waiver_entry
from shared.domain.ledger import LedgerPosting
from shared.errors import N_, Forbidden, Invalid, NotFound
from shared.model import DailyAttendance, Employee, LatenessNotice, LeaveLedgerEntry, LeaveType
from shared.notify import timekeeping_messages as msg
from shared.persistence.locks import lock_rows
from shared.services.actor import Actor
from shared.services.audit import audit, snapshot
from shared.services.leave.postings import post_entries
from shared.services.leave.routing import route_for
from shared.services.lookups import get_employee
from shared.services.reach import locale_of, notify_person


@dataclass(frozen=True)
class WaiveOutcome:
    notice: LatenessNotice
    changed: bool


async def policy_from_settings(session: AsyncSession, settings: Settings | None = None) -> LatenessPolicy:
    """The configured policy; a deduction needs LATENESS_LEAVE_TYPE to name an existing leave type."""
    settings = settings or get_settings()
    type_id = None
    if settings.lateness_leave_type.strip():
        type_id = await session.scalar(
            select(LeaveType.id).where(LeaveType.code == settings.lateness_leave_type.strip())
        )
    return LatenessPolicy(settings.lateness_count, settings.lateness_period, settings.lateness_deduct_days, type_id)


def window_start(as_of: date, period: LatenessPeriod) -> date:
    """The first day an evaluation on ``as_of`` looks at: the previous month's first day, or 60 days back."""
    if period is LatenessPeriod.MONTH:
        return (as_of.replace(day=1) - timedelta(days=1)).replace(day=1)
    return as_of - timedelta(days=60)


async def evaluate_lateness(
    session: AsyncSession,
    *,
    as_of: date,
    now: datetime,
    actor: Actor,
    policy: LatenessPolicy | None = None,
    employee_ids: list[int] | None = None,
) -> list[LatenessNotice]:
    """Record the crossings of final late days up to ``as_of`` not recorded yet; returns the new notices."""
    policy = policy if policy is not None else await policy_from_settings(session)
    if not policy.active:
        return []
    query = select(DailyAttendance.employee_id, DailyAttendance.date).where(
        DailyAttendance.date.between(window_start(as_of, policy.period), as_of),
        DailyAttendance.late_minutes > 0,
        DailyAttendance.is_final.is_(True),
    )
    if employee_ids is not None:
        query = query.where(DailyAttendance.employee_id.in_(employee_ids))
    late: dict[int, set[date]] = defaultdict(set)
    for employee_id, day in (await session.execute(query)).all():
        late[employee_id].add(day)
    created: list[LatenessNotice] = []
    for employee_id in sorted(e for e, days in late.items() if len(days) >= policy.count):
        await lock_rows(session, Employee, [employee_id])
        counted = {
            date.fromisoformat(d)
            for days in await session.scalars(
                select(LatenessNotice.late_days).where(LatenessNotice.employee_id == employee_id)
            )
            for d in days
        }
        for crossing in crossings(late[employee_id], counted, policy):
            created.append(await _record(session, employee_id, crossing.key, crossing.days, policy, as_of, actor))
    return created


async def _record(
    session: AsyncSession,
    employee_id: int,
    key: str,
    days: tuple[date, ...],
    policy: LatenessPolicy,
    as_of: date,
    actor: Actor,
) -> LatenessNotice:
    notice = LatenessNotice(
        employee_id=employee_id, key=key, period=policy.period, threshold=policy.count,
        late_days=[d.isoformat() for d in days], triggered_on=as_of, status=LatenessStatus.ACTIVE,
    )  # fmt: skip
    session.add(notice)
    await session.flush()
    entry = deduction_entry(notice_id=notice.id, employee_id=employee_id, policy=policy, days=days, on=as_of)
    if entry is not None:
        await post_entries(session, [entry], actor)
        notice.deducted_days = -entry.delta
        notice.leave_type_id = entry.leave_type_id
        await session.flush()
    audit(session, actor, "create", "lateness_notice", notice.id, new=snapshot(notice))
    await _tell(session, notice, as_of)
    return notice


def _type_name(leave_type: LeaveType | None, reader: Employee) -> str | None:
    """The deducted type's name in the reader's language."""
    return leave_type.name_for(locale_of(reader)) if leave_type is not None else None


def days_of(notice: LatenessNotice) -> list[date]:
    return [date.fromisoformat(d) for d in notice.late_days]


async def _tell(session: AsyncSession, notice: LatenessNotice, today: date) -> None:
    employee = await get_employee(session, notice.employee_id)
    days = days_of(notice)
    leave_type = await session.get(LeaveType, notice.leave_type_id) if notice.leave_type_id else None
    deducted = Decimal(notice.deducted_days)
    type_name = _type_name(leave_type, employee)
    notify_person(session, employee, text=msg.lateness_for_employee(employee.locale, days, deducted, type_name))
    route = await route_for(session, employee, today)
    manager = await session.get(Employee, route.approver_id) if route.approver_id else None
    if manager is not None:
        text = msg.lateness_for_manager(manager.locale, employee.full_name, days, deducted,
                                        _type_name(leave_type, manager))  # fmt: skip
        notify_person(session, manager, text=text)


async def waive_lateness(
    session: AsyncSession, *, actor: Actor, notice_id: int, reason: str | None, today: date, now: datetime
) -> WaiveOutcome:
    """HR waives a notice: its deduction is reversed exactly; a second waiver changes nothing."""
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can waive a lateness notice."))
    owner = await session.scalar(select(LatenessNotice.employee_id).where(LatenessNotice.id == notice_id))
    if owner is None:
        raise NotFound(N_("Lateness notice {id} does not exist."), id=notice_id)
    if actor.acts_on_self(owner):
        raise Forbidden(N_("You cannot waive your own lateness notice; ask another HR person."))
    cleaned = (reason or "").strip()[:2000]
    if not cleaned:
        raise Invalid(N_("Please say why the notice is waived."), details={"field": "reason"})
    await lock_rows(session, Employee, [owner])
    notice = await session.scalar(select(LatenessNotice).where(LatenessNotice.id == notice_id).with_for_update())
    if notice is None:
        raise NotFound(N_("Lateness notice {id} does not exist."), id=notice_id)
    if notice.status is LatenessStatus.WAIVED:
        return WaiveOutcome(notice, False)
    before = snapshot(notice)
    deduction = await session.scalar(select(LeaveLedgerEntry).where(LeaveLedgerEntry.key == lateness_key(notice.id)))
    if deduction is not None:
        posting = LedgerPosting(
            deduction.employee_id, deduction.leave_type_id, LedgerKind.LATENESS, deduction.delta,
            deduction.effective_date, deduction.key, note=deduction.note,
        )  # fmt: skip
        reversal = waiver_entry(posting, notice_id=notice.id, on=today)
        if reversal is not None:
            await post_entries(session, [reversal], actor)
    notice.status = LatenessStatus.WAIVED
    notice.waived_by = actor.label
    notice.waived_at = now
    notice.waive_reason = cleaned
    await session.flush()
    audit(session, actor, "waive", "lateness_notice", notice.id, old=before, new=snapshot(notice))
    employee = await get_employee(session, notice.employee_id)
    who = actor.label.split(":", 1)[-1]
    if actor.employee_id:
        person = await session.get(Employee, actor.employee_id)
        who = person.full_name if person is not None else who
    route = await route_for(session, employee, today)
    manager = await session.get(Employee, route.approver_id) if route.approver_id else None
    for person in (employee, manager):
        if person is not None:
            notify_person(
                session, person, text=msg.lateness_waived(person.locale, employee.full_name, days_of(notice), who)
            )
    return WaiveOutcome(notice, True)


async def active_notices(session: AsyncSession, *, limit: int = 20) -> list[tuple[LatenessNotice, str]]:
    """The latest notices not waived, with the person's name (HR's list in the bot)."""
    rows = await session.execute(
        select(LatenessNotice, Employee.full_name)
        .join(Employee, Employee.id == LatenessNotice.employee_id)
        .where(LatenessNotice.status == LatenessStatus.ACTIVE)
        .order_by(LatenessNotice.triggered_on.desc(), LatenessNotice.id.desc())
        .limit(limit)
    )
    return [(n, name) for n, name in rows.all()]
