"""Punch corrections, overtime decisions and lateness notices: what the API takes and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from api.schemas.common import Day, DbId, LocalTime, Number, Out, Strict, Text
from shared.domain.enums import CorrectionStatus, Direction, LatenessPeriod, LatenessStatus
from shared.services.timekeeping.queries import OvertimeRow

Reason = Text(2000)


class CorrectionCreate(Strict):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {"employee_id": 7, "date": "2026-11-23", "time": "18:10", "direction": "out", "reason": "Forgot"}
            ]
        }
    }

    employee_id: DbId = Field(description="Whose punch is missing; HR asks on their behalf")
    date: Day = Field(description="The shift day the punch belongs to")
    time: LocalTime = Field(description="Local time of the punch in the employee's zone (a night shift's "
                            "morning check-out is on the next calendar day)")  # fmt: skip
    direction: Literal[Direction.IN, Direction.OUT]
    reason: Reason


class CorrectionOut(Out):
    id: int
    employee_id: int
    date: date
    direction: Direction
    instant: datetime
    reason: str | None
    status: CorrectionStatus
    approver_id: int | None
    decided_by: str | None
    decided_at: datetime | None
    decision_comment: str | None
    punch_id: int | None
    created_by: str | None
    created_at: datetime

    def without_reasons(self) -> CorrectionOut:
        return self.model_copy(update={"reason": None, "decision_comment": None})


class OvertimeOut(Out):
    employee_id: int
    date: date
    minutes: int
    status: Literal["pending", "approved", "rejected", "reversed"] = Field(description="pending: nobody decided yet")
    credit_days: Number | None
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, row: OvertimeRow) -> OvertimeOut:
        return cls(
            employee_id=row.employee_id, date=row.date, minutes=row.minutes,
            status=row.status.value if row.status is not None else "pending",
            credit_days=row.credit_days, decided_by=row.decided_by, decided_at=row.decided_at,
        )  # fmt: skip


class OvertimeRange(Strict):
    date_from: Day
    date_to: Day


class OvertimeApprove(OvertimeRange):
    model_config = {"json_schema_extra": {"examples": [{"date_from": "2026-11-16", "date_to": "2026-11-22"}]}}

    comment: Reason | None = None


class OvertimeReject(OvertimeRange):
    model_config = {
        "json_schema_extra": {
            "examples": [{"date_from": "2026-11-16", "date_to": "2026-11-22", "reason": "Not agreed beforehand"}]
        }
    }

    reason: Reason = Field(description="Told to the employee")


class OvertimeReverse(Strict):
    model_config = {"json_schema_extra": {"examples": [{"date": "2026-11-16", "reason": "It was a training day"}]}}

    date: Day
    reason: Reason


class OvertimeDecisionOut(Out):
    decided: list[OvertimeOut]
    minutes: int
    credit_days: Number


class LatenessOut(Out):
    id: int
    employee_id: int
    key: str
    period: LatenessPeriod
    threshold: int
    late_days: list[date]
    triggered_on: date
    deducted_days: Number
    leave_type_id: int | None
    status: LatenessStatus
    waived_by: str | None
    waived_at: datetime | None
    waive_reason: str | None


class WaiveBody(Strict):
    model_config = {"json_schema_extra": {"examples": [{"reason": "Train strike that week"}]}}

    reason: Reason
