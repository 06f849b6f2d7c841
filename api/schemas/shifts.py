"""Shifts: working hours, grace periods and the thresholds that classify a day."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from api.schemas.common import Days, LocalTime, Number, Out, Patch, Strict, Text
from shared.domain.enums import HoursMode

Name = Text(80)
Minutes = Annotated[int, Field(ge=0, le=720)]
Hours = Days(0, 24)

_EXAMPLE = {
    "name": "Day",
    "start_time": "09:00",
    "end_time": "18:00",
    "late_grace_minutes": 10,
    "early_grace_minutes": 5,
    "half_day_hours": 4,
    "absent_hours": 1,
    "checkin_before_minutes": 120,
    "checkout_after_minutes": 240,
    "hours_mode": "first_last",
}


class ShiftCreate(Strict):
    model_config = {"json_schema_extra": {"examples": [_EXAMPLE]}}

    name: Name
    start_time: LocalTime = Field(description="Local time of day, e.g. 09:00")
    end_time: LocalTime = Field(description="Before start_time for a night shift (it belongs to its start date)")
    late_grace_minutes: Minutes = 0
    early_grace_minutes: Minutes = 0
    half_day_hours: Hours = Field(default=Decimal("4"), description="Fewer worked hours than this make a half day")
    absent_hours: Hours = Field(default=Decimal("1"), description="Fewer worked hours than this count as absent")
    checkin_before_minutes: Minutes = 120
    checkout_after_minutes: Minutes = 240
    hours_mode: HoursMode = HoursMode.FIRST_LAST


class ShiftUpdate(Patch):
    model_config = {"json_schema_extra": {"examples": [{"late_grace_minutes": 15}]}}

    name: Name = None
    start_time: LocalTime = None
    end_time: LocalTime = None
    late_grace_minutes: Minutes = None
    early_grace_minutes: Minutes = None
    half_day_hours: Hours = None
    absent_hours: Hours = None
    checkin_before_minutes: Minutes = None
    checkout_after_minutes: Minutes = None
    hours_mode: HoursMode = None


class ShiftOut(Out):
    id: int
    name: str
    start_time: LocalTime
    end_time: LocalTime
    late_grace_minutes: int
    early_grace_minutes: int
    half_day_hours: Number
    absent_hours: Number
    checkin_before_minutes: int
    checkout_after_minutes: int
    hours_mode: HoursMode
