"""Reading corrections, overtime days and lateness notices for the API (filters, pages, scope)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import CorrectionStatus, LatenessStatus, OvertimeStatus
from shared.errors import N_, NotFound
from shared.model import DailyAttendance, LatenessNotice, OvertimeDecision, PunchCorrection
from shared.services.pagination import Page, paginate


@dataclass(frozen=True)
class OvertimeRow:
    employee_id: int
    date: date
    minutes: int
    status: OvertimeStatus | None
    credit_days: Decimal | None
    decided_by: str | None
    decided_at: datetime | None


async def list_corrections(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    visible: Collection[int] | None,
    approver_id: int | None = None,
    employee_id: int | None = None,
    status: CorrectionStatus | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Page[PunchCorrection]:
    """Newest day first; with ``visible``, only those people's corrections and those routed to ``approver_id``."""
    statement = select(PunchCorrection).order_by(PunchCorrection.date.desc(), PunchCorrection.id.desc())
    if visible is not None:
        reach: ColumnElement[bool] = PunchCorrection.employee_id.in_(sorted(visible))
        if approver_id is not None:
            reach = or_(reach, PunchCorrection.approver_id == approver_id)
        statement = statement.where(reach)
    if employee_id is not None:
        statement = statement.where(PunchCorrection.employee_id == employee_id)
    if status is not None:
        statement = statement.where(PunchCorrection.status == status)
    if date_from is not None:
        statement = statement.where(PunchCorrection.date >= date_from)
    if date_to is not None:
        statement = statement.where(PunchCorrection.date <= date_to)
    return await paginate(session, statement, limit=limit, offset=offset)


async def get_correction(session: AsyncSession, *, correction_id: int) -> PunchCorrection:
    found = await session.get(PunchCorrection, correction_id)
    if found is None:
        raise NotFound(N_("Correction {id} does not exist."), id=correction_id)
    return found


async def list_overtime(
    session: AsyncSession,
    *,
    date_from: date,
    date_to: date,
    visible: Collection[int] | None,
    employee_id: int | None = None,
    limit: int,
    offset: int,
) -> tuple[list[OvertimeRow], int]:
    """Final days with overtime in the range, each with its decision (if any), by date then person."""
    decided = and_(
        OvertimeDecision.employee_id == DailyAttendance.employee_id, OvertimeDecision.date == DailyAttendance.date
    )
    statement = (
        select(
            DailyAttendance.employee_id, DailyAttendance.date, DailyAttendance.overtime_minutes,
            OvertimeDecision.status, OvertimeDecision.credit_days, OvertimeDecision.decided_by,
            OvertimeDecision.decided_at, OvertimeDecision.minutes,
        )
        .outerjoin(OvertimeDecision, decided)
        .where(
            DailyAttendance.date.between(date_from, date_to), DailyAttendance.is_final.is_(True),
            or_(DailyAttendance.overtime_minutes > 0, OvertimeDecision.id.is_not(None)),
        )
        .order_by(DailyAttendance.date, DailyAttendance.employee_id)
    )  # fmt: skip
    if visible is not None:
        statement = statement.where(DailyAttendance.employee_id.in_(sorted(visible)))
    if employee_id is not None:
        statement = statement.where(DailyAttendance.employee_id == employee_id)
    rows = (await session.execute(statement)).all()
    found = [
        OvertimeRow(e, d, decided_minutes if status is not None else minutes, status, credit, by, at)
        for e, d, minutes, status, credit, by, at, decided_minutes in rows
    ]
    return found[offset : offset + limit], len(found)


async def list_lateness_notices(
    session: AsyncSession,
    *,
    limit: int,
    offset: int,
    visible: Collection[int] | None,
    employee_id: int | None = None,
    status: LatenessStatus | None = None,
) -> Page[LatenessNotice]:
    statement = select(LatenessNotice).order_by(LatenessNotice.triggered_on.desc(), LatenessNotice.id.desc())
    if visible is not None:
        statement = statement.where(LatenessNotice.employee_id.in_(sorted(visible)))
    if employee_id is not None:
        statement = statement.where(LatenessNotice.employee_id == employee_id)
    if status is not None:
        statement = statement.where(LatenessNotice.status == status)
    return await paginate(session, statement, limit=limit, offset=offset)


async def notice_owner(session: AsyncSession, *, notice_id: int) -> int:
    """Whose lateness notice this is; 404 when there is none."""
    owner = await session.scalar(select(LatenessNotice.employee_id).where(LatenessNotice.id == notice_id))
    if owner is None:
        raise NotFound(N_("Lateness notice {id} does not exist."), id=notice_id)
    return int(owner)
