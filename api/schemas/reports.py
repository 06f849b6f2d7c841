"""The daily exception digest as JSON (the same data as HR's Telegram digest and its spreadsheet)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from api.schemas.common import Out
from shared.domain.compliance import RuleCode
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
    return_date: dt.date = Field(description="The day the person is back (hourly leave: the same day)")
    half: HalfDay | None = Field(description="Only this half of today is on leave (am or pm)")
    starts_at: dt.datetime | None = Field(
        default=None, description="Hourly leave: away only from this instant (UTC) to `ends_at`; null for days"
    )
    ends_at: dt.datetime | None = Field(default=None, description="Hourly leave: the end of the range (UTC)")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "employee_id": 7,
                    "code": "E007",
                    "full_name": "Anna Keller",
                    "department": "Warehouse",
                    "leave_type": "Doctor",
                    "leave_request_id": 93,
                    "return_date": "2026-12-03",
                    "starts_at": "2026-12-03T09:00:00Z",
                    "ends_at": "2026-12-03T11:00:00Z",
                }
            ]
        }
    }


class DigestViolationOut(Out):
    """An open (unacknowledged) working-time violation whose period touches the digest's date."""

    id: int = Field(description="The violation (acknowledge it at /compliance/violations/{id}/acknowledge)")
    employee_id: int
    code: str
    full_name: str
    department: str | None
    rule: RuleCode
    label: str = Field(description="The rule's name in the request's language")
    period_start: dt.date
    period_end: dt.date
    excess: int = Field(description="By how much the rule was broken, in minutes (days for consecutive days)")
    excess_text: str = Field(description="The excess in words, in the request's language")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "id": 41,
                    "employee_id": 7,
                    "code": "E007",
                    "full_name": "Anna Keller",
                    "department": "Warehouse",
                    "rule": "daily_rest",
                    "label": "daily rest too short",
                    "period_start": "2026-12-02",
                    "period_end": "2026-12-03",
                    "excess": 80,
                    "excess_text": "1 h 20 min of rest missing",
                }
            ]
        }
    }


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
    violations: list[DigestViolationOut] = Field(
        default_factory=list,
        description="Open working-time violations whose period touches `date`, until HR acknowledges them",
    )
