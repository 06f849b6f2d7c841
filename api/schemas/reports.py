"""The daily exception digest as JSON (the same data as HR's Telegram digest and its spreadsheet)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from api.schemas.common import Out
from shared.domain.digest import DigestKind
from shared.domain.enums import HalfDay


class DigestRowOut(Out):
    kind: DigestKind
    label: str = Field(description="The kind in the request's language")
    employee_id: int
    code: str
    full_name: str
    minutes: int | None = Field(description="Minutes late / left early / worked on a half day")


class DigestGroupOut(Out):
    department: str | None = Field(description="Empty for people without a department (listed last)")
    rows: list[DigestRowOut]


class UnknownBadgeOut(Out):
    device_id: int | None
    device_name: str | None
    device_user_id: str | None
    punch_count: int
    first_instant: dt.datetime
    last_instant: dt.datetime


class OfflineDeviceOut(Out):
    id: int
    name: str
    last_success_at: dt.datetime | None
    last_error: str | None


class OutTodayOut(Out):
    employee_id: int
    code: str
    full_name: str
    department: str | None
    leave_type: str
    leave_request_id: int
    return_date: dt.date
    half: HalfDay | None = Field(description="Only this half of today is on leave (am or pm)")


class DigestOut(Out):
    date: dt.date = Field(description="The attendance day the exceptions are about")
    today: dt.date = Field(description="The day who_is_out is about")
    quiet: bool = Field(description="Nothing at all to report")
    so_far: bool = Field(description="Some people's day is not over: their absences are not reported yet")
    not_over: int = Field(description="How many people's day is not over (shift window still open)")
    exception_count: int
    counts: dict[DigestKind, int]
    groups: list[DigestGroupOut]
    unknown_badges: list[UnknownBadgeOut]
    offline_devices: list[OfflineDeviceOut]
    dead_outbox: int = Field(description="Telegram messages given up on since the start of the day")
    who_is_out: list[OutTodayOut]
