"""The warning before the daily rest is broken: a check-in too soon after the last check-out tells the person
(in the check-in's answer) and their manager (through the outbox, in the same transaction)."""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.compliance import RestWarning, rest_before
from shared.domain.enums import Direction
from shared.domain.punches import PunchFact
from shared.domain.working_time import SHIFT_GAP
from shared.model import Employee, Punch
from shared.notify.compliance_messages import rest_warning_for_manager
from shared.notify.outbox import enqueue_message
from shared.services.compliance.limits import limit_book

UNREAD: Final = "unread"


async def rest_warning(
    session: AsyncSession,
    *,
    employee: Employee,
    check_in: dt.datetime,
    last: PunchFact | Literal["unread"] | None = UNREAD,
) -> RestWarning | None:
    """The warning for checking in at ``check_in``, or ``None`` when the rest since the last punch is enough
    (or the last punch was a check-in, or the gap is a break within the same shift).

    ``last``: the latest punch before ``check_in`` (None: there is none) when the caller has read it already
    (``record_punch`` does, with the punches of the day), which saves a query; the rules are only read when
    the last punch was not a check-in."""
    if isinstance(last, str):  # UNREAD
        row = (
            await session.execute(
                select(Punch.instant, Punch.direction)
                .where(Punch.employee_id == employee.id, Punch.instant < check_in)
                .order_by(Punch.instant.desc())
                .limit(1)
            )
        ).first()
        last = None if row is None else PunchFact(row.instant, row.direction)
    if last is None or last.direction is Direction.IN:
        return None
    limits = (await limit_book(session)).for_person(employee.department_id, employee.shift_id)
    if last.instant < check_in - dt.timedelta(minutes=limits.min_daily_rest):
        return None  # longer ago than the daily rest
    return rest_before(check_in, last.instant, limits, shift_gap=SHIFT_GAP)


async def warn_manager(session: AsyncSession, *, employee: Employee, warning: RestWarning) -> bool:
    """Queue the warning for the employee's manager (if they have one on Telegram); True when queued."""
    if employee.manager_id is None:
        return False
    manager = await session.get(Employee, employee.manager_id)
    if manager is None or manager.telegram_user_id is None or not manager.active:
        return False
    enqueue_message(
        session,
        chat_id=manager.telegram_user_id,
        text=rest_warning_for_manager(manager.locale, name=employee.full_name, warning=warning),
        ref=f"rest:{employee.id}:{warning.last_out.isoformat()}",
    )
    return True
