"""Daily attendance (derived), raw punches (facts), manual punches and overrides, processing runs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from api.schemas.common import Day, DbId, Instant, Out, Strict, Text
from shared.domain.enums import AttendanceStatus, Direction, PunchSource

Reason = Text(2000)
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
MAX_PROCESS_EMPLOYEES = 1000


class DailyOut(Out):
    id: int
    employee_id: int
    employee_code: str
    employee_name: str
    department_id: int | None
    department_name: str | None
    date: dt.date
    status: AttendanceStatus
    first_in: dt.datetime | None
    last_out: dt.datetime | None
    worked_minutes: int
    late_minutes: int
    early_exit_minutes: int
    worked_on_day_off: bool
    overtime_minutes: int = Field(description="Minutes beyond the shift (past OVERTIME_THRESHOLD_MINUTES), or a "
                                  "day off's worked minutes; decided through /overtime")  # fmt: skip
    shift_id: int | None
    leave_request_id: int | None
    punch_count: int
    is_final: bool = Field(description="False while the day may still change (e.g. today, before the check-out)")
    manual_override: bool = Field(description="Set by hand; processing keeps it")
    override_reason: str | None
    override_by: str | None
    processed_at: dt.datetime


class PunchOut(Out):
    id: int
    employee_id: int | None = Field(description="Empty when the device user id matches no employee")
    device_id: int | None
    device_user_id: str | None
    source: PunchSource
    instant: dt.datetime
    direction: Direction
    latitude: float | None
    longitude: float | None
    distance_m: int | None
    inside_geofence: bool | None
    note: str | None
    created_by: str | None
    created_at: dt.datetime


class PunchCreate(Strict):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "employee_id": 7,
                    "direction": "in",
                    "instant": "2026-11-23T09:02:00+01:00",
                    "reason": "Badge forgotten at home",
                }
            ]
        }
    }

    employee_id: DbId
    direction: Direction
    instant: Instant
    reason: Reason = Field(description="Why the punch is added by hand; kept with the punch")
    source: Literal[PunchSource.MANUAL, PunchSource.API] = Field(
        default=PunchSource.MANUAL, description="manual: entered by HR; api: from another system"
    )
    latitude: Latitude | None = None
    longitude: Longitude | None = None


class PunchRecordedOut(Out):
    punch: PunchOut
    shift_day: dt.date = Field(description="The working day the punch belongs to (a night shift's start date)")
    worked_minutes: int = Field(description="Worked on that day so far, with this punch")
    first_in: dt.datetime | None


class DayOverride(Strict):
    model_config = {
        "json_schema_extra": {
            "examples": [{"status": "present", "reason": "Worked at the client's site", "worked_minutes": 480}]
        }
    }

    status: AttendanceStatus
    reason: Reason
    worked_minutes: int | None = Field(default=None, ge=0, le=1440)


class ProcessRequest(Strict):
    model_config = {"json_schema_extra": {"examples": [{"date_from": "2026-11-01", "date_to": "2026-11-22"}]}}

    date_from: Day
    date_to: Day
    employee_ids: list[DbId] | None = Field(
        default=None, max_length=MAX_PROCESS_EMPLOYEES, description="Only these employees (default: everyone active)"
    )


class ProcessStatsOut(Out):
    date_from: dt.date
    date_to: dt.date
    employees: int
    days: int
    punches: int
    rows_written: int
    overrides_kept: int = Field(description="Days left as they are because someone set them by hand")
    seconds: float
