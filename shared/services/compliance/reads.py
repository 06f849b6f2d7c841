"""What an evaluation reads, set-based: the people, their punches, their worked days and period totals.

For everyone (the nightly run) the rows are read by date range with the driver's own fetch (no per-row ORM
work); for a few people (a re-processed day) by employee id through the index.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.enums import Direction, PunchSource
from shared.domain.punches import PunchFact, new_fact
from shared.model import DailyAttendance, Employee, Punch
from shared.persistence.bulk import as_utc, fetch_rows

FEW = 1000  # up to this many people, reads filter by employee id (an index), not only by date
_DIRECTIONS = {d.value: d for d in Direction}
_SOURCES = {s.value: s for s in PunchSource}
_PUNCH_SQL = (
    "SELECT employee_id, instant, direction, source FROM punches"
    " WHERE employee_id IS NOT NULL AND instant >= :lower AND instant < :upper"
)
_DAYS_SQL = (
    "SELECT employee_id, date FROM daily_attendance WHERE date >= :first AND date <= :last AND worked_minutes > 0"
)


async def people(session: AsyncSession, ids: Sequence[int] | None, first: dt.date, last: dt.date) -> list[Any]:
    """Who is evaluated: employed at some point of [first, last], not anonymised."""
    employed = and_(
        or_(Employee.active.is_(True), and_(Employee.leaving_date.is_not(None), Employee.leaving_date >= first)),
        or_(Employee.hire_date.is_(None), Employee.hire_date <= last),
    )
    query = select(Employee.id, Employee.department_id, Employee.shift_id, Employee.timezone).where(
        employed, Employee.anonymised_at.is_(None)
    )
    if ids is not None:
        query = query.where(Employee.id.in_(sorted(set(ids))))
    return list((await session.execute(query.order_by(Employee.id))).all())


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), FEW):
        yield list(ids[start : start + FEW])


def _sqlite(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "sqlite"


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


async def punches(
    session: AsyncSession, ids: Collection[int], lower: dt.datetime, upper: dt.datetime, *, everyone: bool
) -> dict[int, list[PunchFact]]:
    """Each employee's punches in [lower, upper)."""
    wanted = set(ids)
    found: dict[int, list[PunchFact]] = defaultdict(list)
    if everyone or len(wanted) > FEW:
        convert = as_utc if _sqlite(session) else None
        directions, sources, fact = _DIRECTIONS, _SOURCES, new_fact
        for employee_id, instant, direction, source in await fetch_rows(
            session, _PUNCH_SQL, {"lower": lower, "upper": upper}
        ):
            if employee_id in wanted:
                found[employee_id].append(
                    fact(convert(instant) if convert else instant, directions[direction], sources[source])
                )
        return found
    for chunk in _chunks(sorted(wanted)):
        rows = await session.execute(
            select(Punch.employee_id, Punch.instant, Punch.direction, Punch.source).where(
                Punch.employee_id.in_(chunk), Punch.instant >= lower, Punch.instant < upper
            )
        )
        for employee_id, instant, direction, source in rows.all():
            if employee_id is not None:
                found[employee_id].append(PunchFact(instant, direction, source))
    return found


async def worked_days(
    session: AsyncSession, ids: Collection[int], first: dt.date, last: dt.date, *, everyone: bool
) -> dict[int, set[dt.date]]:
    """The days with worked minutes in each employee's daily rows of [first, last]."""
    wanted = set(ids)
    found: dict[int, set[dt.date]] = defaultdict(set)
    if everyone or len(wanted) > FEW:
        for employee_id, day in await fetch_rows(session, _DAYS_SQL, {"first": first, "last": last}):
            if employee_id in wanted:
                found[employee_id].add(_date(day))
        return found
    for chunk in _chunks(sorted(wanted)):
        rows = await session.execute(
            select(DailyAttendance.employee_id, DailyAttendance.date).where(
                DailyAttendance.employee_id.in_(chunk),
                DailyAttendance.date.between(first, last),
                DailyAttendance.worked_minutes > 0,
            )
        )
        for employee_id, day in rows.all():
            found[employee_id].add(day)
    return found


async def period_totals(
    session: AsyncSession, ids: Collection[int], periods: Collection[tuple[dt.date, dt.date]], *, everyone: bool
) -> dict[int, dict[tuple[dt.date, dt.date], int]]:
    """Each employee's worked minutes (daily rows) in each period: one SUM per period (and chunk of people)."""
    wanted = set(ids)
    found: dict[int, dict[tuple[dt.date, dt.date], int]] = defaultdict(dict)
    for first, last in sorted(periods):
        base = (
            select(DailyAttendance.employee_id, func.sum(DailyAttendance.worked_minutes))
            .where(DailyAttendance.date.between(first, last))
            .group_by(DailyAttendance.employee_id)
        )
        queries = (
            [base]
            if everyone or len(wanted) > FEW
            else [base.where(DailyAttendance.employee_id.in_(chunk)) for chunk in _chunks(sorted(wanted))]
        )
        for query in queries:
            for employee_id, total in (await session.execute(query)).all():
                if employee_id in wanted:
                    found[employee_id][(first, last)] = int(total or 0)
    return found
