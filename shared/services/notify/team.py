"""What a manager sees of their team: today (in, late, not yet in, on leave) and who is out in a period.

Today's picture uses the same classification as the nightly attendance (``classify_day``), provisionally:
a person with a check-in is in (late when past the shift's grace), one without is not yet in, approved
leave wins, and a day off keeps people out of every list but ``day_off``. "Today" is each person's own
shift day at this instant (``shift_day_at``): at 02:00 a night worker who started at 22:00 is shown under
the shift they are working, not under tonight's. Punches outside the shift window count and are flagged.

The type of someone's leave is shown only to those entitled to it (``shared.domain.privacy``); for
everyone else it is ``None`` and the views say "away".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.attendance import DayContext, DayLeave, DayResult, classify_day
from shared.domain.enums import AttendanceStatus, HalfDay, LeaveStatus, Role
from shared.domain.names import localized_name
from shared.domain.privacy import sees_leave_type
from shared.domain.punches import PunchFact
from shared.domain.shift_window import shift_day_at
from shared.model import Department, Employee, Holiday, LeaveRequest, LeaveType, Punch
from shared.services.attendance.processing import leave_on, shift_rules, today_in, zone
from shared.services.compliance.violations import ViolationFilter, list_violations
from shared.services.leave.context import team_requests
from shared.services.lookups import get_employee

HR_ROLES = (Role.HR, Role.ADMIN)


@dataclass(frozen=True)
class TeamMember:
    employee_id: int
    name: str
    first_in: datetime | None = None
    late_minutes: int = 0
    unscheduled: bool = False
    leave_type: str | None = None
    leave_until: date | None = None
    half: HalfDay | None = None


@dataclass
class TeamToday:
    """One manager's team on ``day`` (the manager's local date), each list sorted by name."""

    day: date
    present: list[TeamMember] = field(default_factory=list)
    late: list[TeamMember] = field(default_factory=list)
    not_in: list[TeamMember] = field(default_factory=list)
    on_leave: list[TeamMember] = field(default_factory=list)
    day_off: list[TeamMember] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(x) for x in (self.present, self.late, self.not_in, self.on_leave, self.day_off))


async def team_members(session: AsyncSession, *, manager_id: int) -> list[Employee]:
    """Active direct reports and members of departments the manager heads; HR/admin see everyone."""
    manager = await get_employee(session, manager_id)
    query = select(Employee).where(Employee.active.is_(True), Employee.id != manager.id)
    if manager.role not in HR_ROLES:
        headed = select(Department.id).where(Department.head_id == manager.id)
        query = query.where(or_(Employee.manager_id == manager.id, Employee.department_id.in_(headed)))
    return list(await session.scalars(query.order_by(Employee.full_name, Employee.id)))


@dataclass(frozen=True)
class TeamViolation:
    """An open working-time violation of someone in the manager's team."""

    name: str
    rule: str
    period_start: date
    period_end: date
    excess: int


async def team_violations(
    session: AsyncSession, *, manager_id: int, first: date, last: date, limit: int = 50
) -> tuple[list[TeamViolation], int]:
    """The team's open (unacknowledged) violations whose period touches [first, last], newest first, and how
    many there are in all."""
    names = {m.id: m.full_name for m in await team_members(session, manager_id=manager_id)}
    if not names:
        return [], 0
    page = await list_violations(
        session,
        where=ViolationFilter(date_from=first, date_to=last, acknowledged=False),
        about=set(names),
        limit=limit,
        offset=0,
    )
    found = [TeamViolation(names[v.employee_id], v.rule, v.period_start, v.period_end, v.excess) for v in page.items]
    return found, page.total


async def team_today(
    session: AsyncSession, *, manager_id: int, now: datetime, company_timezone: str, locale: str | None = None
) -> TeamToday:
    """Who of the manager's team is in, late, not yet in, on leave or off today (leave types named in
    ``locale`` where translated)."""
    manager = await get_employee(session, manager_id)
    members = await team_members(session, manager_id=manager_id)
    result = TeamToday(today_in(manager.timezone or company_timezone, now))
    if not members:
        return result
    ids = [m.id for m in members]
    shifts = await shift_rules(session)
    days: dict[int, date] = {}
    ranges: dict[int, tuple[datetime, datetime]] = {}
    for m in members:
        day, lower, upper = shift_day_at(now, shifts.get(m.shift_id or -1), zone(m.timezone or company_timezone))
        days[m.id], ranges[m.id] = day, (lower, upper)
    lower = min(r[0] for r in ranges.values())
    upper = max(r[1] for r in ranges.values())
    punches: dict[int, list[PunchFact]] = defaultdict(list)
    for employee_id, instant, direction, source in (
        await session.execute(
            select(Punch.employee_id, Punch.instant, Punch.direction, Punch.source).where(
                Punch.employee_id.in_(ids), Punch.instant >= lower, Punch.instant < upper
            )
        )
    ).all():
        if employee_id is not None:
            punches[employee_id].append(PunchFact(instant, direction, source))
    first_day, last_day = min(days.values()), max(days.values())
    holidays = {
        (calendar_id, day)
        for calendar_id, day in (
            await session.execute(
                select(Holiday.calendar_id, Holiday.date).where(Holiday.date.between(first_day, last_day))
            )
        ).all()
    }
    managers = {m.id: m.manager_id for m in members}
    leaves: dict[int, tuple[LeaveRequest, str | None]] = {}
    excused: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for request, type_name, public, type_names in (
        await session.execute(
            select(LeaveRequest, LeaveType.name, LeaveType.public, LeaveType.name_translations)
            .join(LeaveType, LeaveType.id == LeaveRequest.leave_type_id)
            .where(
                LeaveRequest.employee_id.in_(ids),
                LeaveRequest.status == LeaveStatus.APPROVED,
                LeaveRequest.start_date <= last_day,
                LeaveRequest.end_date >= first_day,
            )
        )
    ).all():
        if request.start_at is not None and request.end_at is not None:  # hours off: excused, not away
            if request.start_date == days[request.employee_id]:
                excused[request.employee_id].append((request.start_at, request.end_at))
            continue
        if request.start_date <= days[request.employee_id] <= request.end_date:
            shown = sees_leave_type(
                viewer_id=manager.id,
                viewer_is_hr=manager.role in HR_ROLES,
                subject_id=request.employee_id,
                approver_ids={request.approver_id, request.decided_by_id, managers.get(request.employee_id)},
                public=public,
            )
            named = localized_name(type_name, type_names, locale) if locale else type_name
            leaves[request.employee_id] = (request, named if shown else None)
    for member in members:
        tz = zone(member.timezone or company_timezone)
        day = days[member.id]
        leave = leaves.get(member.id)
        day_leave = _leave_part(day, leave[0]) if leave else None
        context = DayContext(
            day,
            member.work_week or "12345",
            (member.holiday_calendar_id, day) in holidays,
            day_leave,
            leave[0].id if leave else None,
            member.id,
            excused=tuple(excused[member.id]),
        )
        outcome = classify_day(context, punches[member.id], shifts.get(member.shift_id or -1), tz, now=now)
        _place(result, member, outcome, leave, day_leave)
    return result


def _leave_part(day: date, request: LeaveRequest) -> DayLeave:
    return leave_on(day, request.start_date, request.end_date, request.start_half, request.end_half)


def _place(
    result: TeamToday,
    member: Employee,
    outcome: DayResult,
    leave: tuple[LeaveRequest, str | None] | None,
    day_leave: DayLeave | None,
) -> None:
    """Append one member to the list their (provisional) day falls in."""
    status = outcome.status
    if leave is not None and (
        status is AttendanceStatus.ON_LEAVE or (status is AttendanceStatus.HALF_LEAVE and outcome.first_in is None)
    ):
        request, type_name = leave
        half = HalfDay(day_leave.value) if day_leave in (DayLeave.MORNING, DayLeave.AFTERNOON) else None
        result.on_leave.append(
            TeamMember(member.id, member.full_name, None, 0, False, type_name, request.end_date, half)
        )
        return
    here = TeamMember(
        member.id, member.full_name, outcome.first_in, outcome.late_minutes, outcome.unscheduled_punches > 0
    )
    if status in (AttendanceStatus.WEEKEND, AttendanceStatus.HOLIDAY):
        result.day_off.append(here)
    elif outcome.first_in is not None:
        (result.late if outcome.late_minutes > 0 else result.present).append(here)
    else:
        result.not_in.append(here)


@dataclass(frozen=True)
class OutLine:
    """Someone on approved leave in the period asked about (``type_name`` None: the reader sees "away")."""

    employee_id: int
    name: str
    department: str | None
    type_name: str | None
    start_date: date
    end_date: date
    start_half: HalfDay | None
    end_half: HalfDay | None
    starts_at: datetime | None = None  # hourly leave: away only from ``starts_at`` to ``ends_at`` (UTC)
    ends_at: datetime | None = None

    @property
    def hours(self) -> tuple[datetime, datetime] | None:
        return (self.starts_at, self.ends_at) if self.starts_at is not None and self.ends_at is not None else None


async def whos_out(
    session: AsyncSession,
    *,
    start: date,
    end: date,
    viewer_id: int | None,
    viewer_is_hr: bool,
    department_id: int | None = None,
    locale: str | None = None,
) -> list[OutLine]:
    """Approved leave overlapping [start, end] (of one department, or everyone), by start date then name, with
    the hours of hourly leave; the type only where ``viewer_id`` may see it, and the names in ``locale`` where
    they are translated."""
    query = (
        select(
            LeaveRequest,
            Employee.full_name,
            Department.name,
            LeaveType.name,
            LeaveType.public,
            Employee.manager_id,
            Department.name_translations,
            LeaveType.name_translations,
        )
        .join(Employee, Employee.id == LeaveRequest.employee_id)
        .join(LeaveType, LeaveType.id == LeaveRequest.leave_type_id)
        .outerjoin(Department, Department.id == Employee.department_id)
        .where(
            LeaveRequest.status == LeaveStatus.APPROVED,
            LeaveRequest.start_date <= end,
            LeaveRequest.end_date >= start,
            Employee.active.is_(True),
        )
        .order_by(LeaveRequest.start_date, Employee.full_name, LeaveRequest.id)
    )
    if department_id is not None:
        query = query.where(Employee.department_id == department_id)
    lines = []
    for r, name, dept, type_name, public, manager_id, dept_names, type_names in (await session.execute(query)).all():
        if locale:
            dept = localized_name(dept, dept_names, locale) if dept else dept
            type_name = localized_name(type_name, type_names, locale)
        shown = sees_leave_type(
            viewer_id=viewer_id,
            viewer_is_hr=viewer_is_hr,
            subject_id=r.employee_id,
            approver_ids={r.approver_id, r.decided_by_id, manager_id},
            public=public,
        )
        lines.append(
            OutLine(
                r.employee_id,
                name,
                dept,
                type_name if shown else None,
                r.start_date,
                r.end_date,
                r.start_half,
                r.end_half,
                r.start_at,
                r.end_at,
            )
        )
    return lines


async def team_overlaps(
    session: AsyncSession, *, employee_id: int, start: date, end: date
) -> list[tuple[str, date, date]]:
    """(name, start, end) of the employee's teammates' pending or approved leave overlapping the dates."""
    employee = await get_employee(session, employee_id)
    requests = await team_requests(session, employee, start, end)
    if not requests:
        return []
    names = dict(
        (await session.execute(select(Employee.id, Employee.full_name).where(
            Employee.id.in_({r.employee_id for r in requests})
        ))).all()
    )  # fmt: skip
    return [(names.get(r.employee_id, "?"), r.start_date, r.end_date) for r in requests]
