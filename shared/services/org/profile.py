"""One person's own things: who a Telegram account is, their language, their channels, their leave history.

The bot calls these on every update (``employee_by_telegram_id``) and for ``/language`` and ``/myleaves``;
the API may reuse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import SUPPORTED_LOCALES
from shared.domain.approval import applicable_levels
from shared.domain.enums import ChannelChoice, LeaveStatus
from shared.domain.hourly import LeaveUnit
from shared.domain.names import localized_name
from shared.errors import N_, Forbidden, Invalid, NotFound
from shared.model import Employee, LeaveRequest, LeaveType
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.audit import audit
from shared.services.leave.chains import chain_levels
from shared.services.lookups import get_employee

HISTORY_LIMIT = 10


async def employee_by_telegram_id(session: AsyncSession, telegram_user_id: int) -> Employee | None:
    """The employee linked to a Telegram account (active or not); None for a stranger."""
    return await session.scalar(select(Employee).where(Employee.telegram_user_id == telegram_user_id))


_BY_TELEGRAM = select(*Employee.__table__.columns).where(
    Employee.telegram_user_id == bindparam("telegram_user_id", type_=Employee.telegram_user_id.type)
)


async def linked_employee(db: Database, telegram_user_id: int) -> Employee | None:
    """:func:`employee_by_telegram_id` on the driver (``Database.reads()``; the bot asks on every update):
    the same detached ``Employee``, without a session's cost."""
    async with db.reads() as reads:
        return await reads.instance(Employee, _BY_TELEGRAM, {"telegram_user_id": telegram_user_id})


async def employee_by_code(session: AsyncSession, code: str) -> Employee:
    """The employee with this HR code (case-insensitive); NotFound says which code was wrong."""
    wanted = (code or "").strip()
    employee = await session.scalar(select(Employee).where(Employee.code == wanted))
    if employee is None and wanted:
        employee = await session.scalar(select(Employee).where(Employee.code == wanted.upper()))
    if employee is None:
        raise NotFound(N_("No employee has the code {code}."), code=wanted)
    return employee


async def set_locale(session: AsyncSession, *, actor: Actor, employee_id: int, locale: str) -> Employee:
    """Store the language an employee chose; audited. Only their own, or HR for anyone."""
    if locale not in SUPPORTED_LOCALES:
        raise Invalid(N_("This language is not available."), details={"field": "locale"})
    employee = await get_employee(session, employee_id)
    if actor.employee_id != employee.id and not actor.is_hr:
        raise Forbidden(N_("You can only change your own language."))
    if employee.locale != locale:
        before = employee.locale
        employee.locale = locale
        await session.flush()
        audit(session, actor, "set_locale", "employee", employee.id, old={"locale": before}, new={"locale": locale})
    return employee


async def set_channels(session: AsyncSession, *, actor: Actor, employee_id: int, choice: str) -> Employee:
    """Store how a person wants to be notified (``auto``, ``telegram``, ``email``, ``both``); audited.
    Only their own, or HR for anyone. A channel without an address falls back to the other when sending."""
    try:
        wanted = ChannelChoice(choice)
    except ValueError:
        raise Invalid(N_("This choice is not available."), details={"field": "notify_channels"}) from None
    employee = await get_employee(session, employee_id)
    if actor.employee_id != employee.id and not actor.is_hr:
        raise Forbidden(N_("You can only change your own notifications."))
    if employee.notify_channels != wanted:
        before = employee.notify_channels
        employee.notify_channels = wanted
        await session.flush()
        audit(session, actor, "set_channels", "employee", employee.id, old={"notify_channels": str(before)},
              new={"notify_channels": str(wanted)})  # fmt: skip
    return employee


@dataclass(frozen=True)
class HistoryLine:
    """One of the employee's requests, with the name of its type."""

    request: LeaveRequest
    type_name: str
    unit: LeaveUnit = LeaveUnit.DAYS
    waiting_on: str | None = None
    """A pending request: who decides it now (None: HR, nobody could be routed)."""
    level: tuple[int, int] | None = None
    """A pending request of a chain of several levels: (the level it waits at, of how many)."""
    type_names: dict[str, str] | None = None

    def type_in(self, locale: str) -> str:
        return localized_name(self.type_name, self.type_names, locale)


async def leave_history(session: AsyncSession, *, employee_id: int, limit: int = HISTORY_LIMIT) -> list[HistoryLine]:
    """The employee's latest requests (every status), newest start date first; where pending ones stand."""
    rows = (
        await session.execute(
            select(LeaveRequest, LeaveType.name, LeaveType.unit, LeaveType.name_translations)
            .join(LeaveType, LeaveType.id == LeaveRequest.leave_type_id)
            .where(LeaveRequest.employee_id == employee_id)
            .order_by(LeaveRequest.start_date.desc(), LeaveRequest.id.desc())
            .limit(limit)
        )
    ).all()
    pending = [r for r, _name, _unit, _names in rows if r.status is LeaveStatus.PENDING]
    ids = {r.approver_id for r in pending if r.approver_id}
    names = dict((await session.execute(select(Employee.id, Employee.full_name).where(Employee.id.in_(ids)))).all())
    department = await session.scalar(select(Employee.department_id).where(Employee.id == employee_id))
    found = []
    for request, name, unit, type_names in rows:
        waiting_on, level = None, None
        if request.status is LeaveStatus.PENDING:
            waiting_on = names.get(request.approver_id) if request.approver_id else None
            if request.stage is not None:
                levels = await chain_levels(session, leave_type_id=request.leave_type_id, department_id=department)
                applying = applicable_levels(levels, Decimal(request.working_days))
                if request.stage in applying and len(applying) > 1:
                    level = (applying.index(request.stage) + 1, len(applying))
        found.append(HistoryLine(request, name, unit, waiting_on, level, type_names))
    return found
