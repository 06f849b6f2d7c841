"""Missed-punch corrections: asked by the person (bot) or HR (API), decided by their approver or HR.

An approved correction writes one punch of source ``correction`` (``created_by`` is the approver) and
re-processes the day in the same transaction. Deciding locks the person's row, then the correction's
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises write transactions), so of two approvals at once
one writes the punch and the other finds it decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.domain.corrections import check_request, correction_instant, decide_violation
from shared.domain.enums import Channel, CorrectionStatus, Direction, OutboxStatus, PunchSource
from shared.errors import N_, ChronosError, Conflict, Forbidden, Invalid, NotFound
from shared.model import Employee, OutboxMessage, Punch, PunchCorrection, Shift
from shared.notify import timekeeping_messages as msg
from shared.notify.outbox import enqueue_edit
from shared.persistence.locks import lock_rows
from shared.services.actor import Actor
from shared.services.attendance.processing import shift_rule, today_in, zone
from shared.services.attendance.refresh import refresh_days
from shared.services.audit import audit, snapshot
from shared.services.leave.routing import route_for
from shared.services.lookups import get_employee, hr_people
from shared.services.reach import notify_person, reachable

_REFUSALS = {
    "already_decided": (Conflict, N_("This correction has already been decided.")),
    "own_request": (Forbidden, N_("You cannot decide on your own correction.")),
    "not_approver": (Forbidden, N_("Only the approver or HR can decide on this correction.")),
}


@dataclass(frozen=True)
class CorrectionOutcome:
    """The correction after the call; ``changed`` is False when it had already been decided (nothing written)."""

    correction: PunchCorrection
    changed: bool


def refusal(code: str) -> ChronosError:
    kind, message = _REFUSALS[code]
    error: ChronosError = kind(message)
    error.code = code
    return error


def view_of(correction: PunchCorrection, employee: Employee) -> msg.CorrectionView:
    tz = employee.timezone or get_settings().company_timezone
    return msg.CorrectionView(
        correction.id, employee.full_name, correction.date, correction.direction, correction.instant,
        correction.reason, correction.status, tz,
    )  # fmt: skip


async def request_correction(
    session: AsyncSession,
    *,
    actor: Actor,
    employee_id: int,
    day: date,
    at: time,
    direction: Direction,
    reason: str | None,
    now: datetime,
    idempotency_key: str | None = None,
) -> PunchCorrection:
    """Ask for a missing punch on ``day`` at local time ``at``; the approver is told with buttons."""
    if direction not in (Direction.IN, Direction.OUT):
        raise Invalid(N_("Say whether the missing punch is a check-in or a check-out."), details={"field": "direction"})
    key = f"{actor.label}:{idempotency_key}"[:200] if idempotency_key else None
    if key is not None and (found := await _by_key(session, key)) is not None:
        return found
    employee = await get_employee(session, employee_id)
    if actor.employee_id != employee.id and not actor.is_hr:
        raise Forbidden(N_("You can only ask for corrections of your own punches."))
    if not employee.active:
        raise Forbidden(N_("{name} is deactivated."), name=employee.full_name)
    settings = get_settings()
    tz_name = employee.timezone or settings.company_timezone
    shift_row = await session.get(Shift, employee.shift_id) if employee.shift_id else None
    instant = correction_instant(day, at, shift_rule(shift_row) if shift_row else None, zone(tz_name))
    cleaned = check_request(
        day=day, instant=instant, reason=reason, today=today_in(tz_name, now), now=now,
        lookback_days=settings.attendance_lookback_days,
    )  # fmt: skip
    await lock_rows(session, Employee, [employee.id])
    if key is not None and (found := await _by_key(session, key)) is not None:
        return found  # the same request, made meanwhile by a concurrent retry
    waiting = await session.scalar(
        select(PunchCorrection.id).where(
            PunchCorrection.employee_id == employee.id, PunchCorrection.date == day,
            PunchCorrection.direction == direction, PunchCorrection.status == CorrectionStatus.PENDING,
        )
    )  # fmt: skip
    if waiting is not None:
        raise Conflict(N_("Correction #{id} of that day already waits for a decision."), id=waiting)
    route = await route_for(session, employee, today_in(tz_name, now))
    correction = PunchCorrection(
        employee_id=employee.id, date=day, direction=direction, instant=instant, reason=cleaned,
        approver_id=route.approver_id, created_by=actor.label, idempotency_key=key,
    )  # fmt: skip
    session.add(correction)
    await session.flush()
    audit(session, actor, "create", "punch_correction", correction.id, new=snapshot(correction))
    await _ask_approvers(session, correction, employee)
    return correction


async def _by_key(session: AsyncSession, key: str) -> PunchCorrection | None:
    return await session.scalar(select(PunchCorrection).where(PunchCorrection.idempotency_key == key))


async def _ask_approvers(session: AsyncSession, correction: PunchCorrection, employee: Employee) -> None:
    """The approver gets the buttons; with nobody routable, every HR person does."""
    approver = await session.get(Employee, correction.approver_id) if correction.approver_id else None
    people = [approver] if approver is not None else await hr_people(session, exclude={employee.id})
    view = view_of(correction, employee)
    for person in people:
        if reachable(person):  # by e-mail: told, and decides in the bot or through the API
            text, keyboard = msg.correction_request(person.locale, view)
            notify_person(
                session, person, text=text, buttons=keyboard, ref=msg.correction_ref(correction.id, person.id)
            )


async def decide_correction(
    session: AsyncSession,
    *,
    actor: Actor,
    correction_id: int,
    approve: bool,
    comment: str | None = None,
    now: datetime,
) -> CorrectionOutcome:
    """Approve (write the punch, re-process the day) or reject (with a reason) a pending correction; idempotent."""
    owner = await session.scalar(select(PunchCorrection.employee_id).where(PunchCorrection.id == correction_id))
    if owner is None:
        raise NotFound(N_("Correction {id} does not exist."), id=correction_id)
    await lock_rows(session, Employee, [owner])
    correction = await session.scalar(
        select(PunchCorrection).where(PunchCorrection.id == correction_id).with_for_update()
    )
    if correction is None:
        raise NotFound(N_("Correction {id} does not exist."), id=correction_id)
    if correction.status is not CorrectionStatus.PENDING:
        return CorrectionOutcome(correction, False)
    violation = decide_violation(
        actor_id=actor.employee_id, actor_is_hr=actor.is_hr, employee_id=correction.employee_id,
        approver_id=correction.approver_id, status=correction.status,
    )  # fmt: skip
    if violation is not None:
        raise refusal(violation)
    comment = (comment or "").strip()[:2000] or None
    if not approve and not comment:
        raise Invalid(N_("Please say why the correction is rejected."), details={"field": "reason"})
    employee = await get_employee(session, correction.employee_id)
    before = snapshot(correction)
    decider = await _name(session, actor)
    correction.status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
    correction.decided_by_id = actor.employee_id
    correction.decided_by = decider
    correction.decided_at = now
    correction.decision_comment = comment
    if approve:
        punch = Punch(
            employee_id=employee.id, source=PunchSource.CORRECTION, instant=correction.instant,
            direction=correction.direction, note=f"correction #{correction.id}: {correction.reason}"[:2000],
            created_by=actor.label,
        )  # fmt: skip
        session.add(punch)
        await session.flush()
        correction.punch_id = punch.id
        audit(session, actor, "create", "punch", punch.id, new=snapshot(punch))
    await session.flush()
    audit(session, actor, "approve" if approve else "reject", "punch_correction", correction.id,
          old=before, new=snapshot(correction))  # fmt: skip
    if approve:
        await refresh_days(
            session, employee_ids=[employee.id], date_from=correction.date, date_to=correction.date, now=now,
            actor=actor, why=f"punch_correction:{correction.id}",
        )  # fmt: skip
    await _announce(session, correction, employee, decider, comment, now)
    return CorrectionOutcome(correction, True)


async def _name(session: AsyncSession, actor: Actor) -> str:
    if actor.employee_id:
        person = await session.get(Employee, actor.employee_id)
        if person is not None:
            return person.full_name
    return actor.label.split(":", 1)[-1]


async def _announce(
    session: AsyncSession, correction: PunchCorrection, employee: Employee, decider: str, comment: str | None,
    now: datetime,
) -> None:  # fmt: skip
    view = view_of(correction, employee)
    refs = (
        await session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.ref)
            .where(
                OutboxMessage.ref.like(f"correction:{correction.id}:%"),
                OutboxMessage.status != OutboxStatus.DEAD,
                OutboxMessage.channel == Channel.TELEGRAM,  # a mail cannot be edited
            )
            .distinct()
        )
    ).all()
    chats = {c for c, _ in refs}
    locales = dict(
        (await session.execute(select(Employee.telegram_user_id, Employee.locale).where(
            Employee.telegram_user_id.in_(chats)))).all()
    ) if chats else {}  # fmt: skip
    for chat_id, ref in refs:
        if ref is not None and chat_id is not None:
            text = msg.correction_decided(locales.get(chat_id), view, decider, now)
            enqueue_edit(session, chat_id=chat_id, edit_ref=ref, text=text)
    notify_person(session, employee, text=msg.correction_for_employee(employee.locale, view, decider, comment))


async def pending_corrections(
    session: AsyncSession, *, approver_id: int, include_unrouted: bool
) -> list[PunchCorrection]:
    """What waits on one approver (HR also sees corrections nobody could be routed to)."""
    condition = PunchCorrection.approver_id == approver_id
    if include_unrouted:
        condition = condition | PunchCorrection.approver_id.is_(None)
    rows = await session.scalars(
        select(PunchCorrection)
        .where(PunchCorrection.status == CorrectionStatus.PENDING, condition)
        .order_by(PunchCorrection.date, PunchCorrection.id)
    )
    return list(rows)


def correction_day_choices(*, now: datetime, tz: str, days: int) -> list[date]:
    """The days a correction can be asked for from the bot, today first."""
    today = today_in(tz, now)
    return [date.fromordinal(today.toordinal() - i) for i in range(days)]
