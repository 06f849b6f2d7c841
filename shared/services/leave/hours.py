"""Hourly leave: checking a time range against the person's shift, the type's minimum and step, and their
other hourly bookings that day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.config import get_settings
from shared.domain.hourly import HourlyRule, HourRange, LeaveUnit, check_range, hours_of, range_on
from shared.domain.leave import Step, Violation
from shared.domain.shift_window import shift_window
from shared.errors import N_
from shared.model import Employee, LeaveRequest, LeaveType, Shift
from shared.services.attendance.processing import shift_rule, zone
from shared.services.leave.context import ACTIVE


def is_hourly(leave_type: LeaveType) -> bool:
    return leave_type.unit is LeaveUnit.HOURS


@dataclass
class HourQuote:
    """The booked range (None when the times are missing), its hours and what is wrong with it."""

    booked: HourRange | None
    hours: Decimal
    violations: list[Violation] = field(default_factory=list)


async def hourly_type_ids(session: AsyncSession) -> set[int]:
    return set(await session.scalars(select(LeaveType.id).where(LeaveType.unit == LeaveUnit.HOURS)))


async def quote_hours(
    session: AsyncSession,
    *,
    employee: Employee,
    leave_type: LeaveType,
    start: date,
    end: date,
    start_time: time | None,
    end_time: time | None,
    halves: bool = False,
    request_id: int | None = None,
) -> HourQuote:
    """Check an hourly booking on one day inside the employee's shift (writes nothing)."""
    if halves:
        no_halves = Violation("no_half_days", N_("Hours are booked by time, not in half days."), Step.HALF_DAY)
        return HourQuote(None, Decimal(0), [no_halves])
    if start != end:
        return HourQuote(None, Decimal(0), [Violation("one_day", N_("Hours are booked on one day."), Step.DATES)])
    if start_time is None or end_time is None:
        missing = Violation("times_missing", N_("Say from what time until what time."), Step.DATES)
        return HourQuote(None, Decimal(0), [missing])
    tz = zone(employee.timezone or get_settings().company_timezone)
    booked = range_on(start, start_time, end_time, tz)
    row = await session.get(Shift, employee.shift_id) if employee.shift_id else None
    works = row is not None and str(start.isoweekday()) in (employee.work_week or "12345")
    window = shift_window(start, shift_rule(row), tz) if works and row is not None else None
    rule = HourlyRule(min_minutes=leave_type.min_minutes, step_minutes=leave_type.step_minutes)
    problems = [v for v in [check_range(booked, rule, window)] if v is not None]
    clash = await session.scalar(
        select(LeaveRequest.id).where(
            LeaveRequest.employee_id == employee.id,
            LeaveRequest.status.in_(ACTIVE),
            LeaveRequest.start_at.is_not(None),
            LeaveRequest.start_at < booked.end,
            LeaveRequest.end_at > booked.start,
            LeaveRequest.id != (request_id or 0),
        )
    )
    if clash is not None:
        problems.append(Violation("overlap", N_("You already booked hours in that time."), Step.DATES))
    return HourQuote(booked, hours_of(max(booked.minutes, 0)), problems)
