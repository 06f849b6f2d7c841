"""Leave requests: asking on someone's behalf, quoting, deciding, cancelling, and how a request reads."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any

from pydantic import Field

from api.schemas.common import Day, DbId, Number, Out, Strict, Text
from shared.domain.enums import HalfDay, LeaveStatus
from shared.domain.hourly import LeaveUnit
from shared.services.leave.queries import LeaveRow

Reason = Text(2000)
FileId = Text(255)


class LeaveDates(Strict):
    """Whose leave, of which type, on which dates: what a request and a quote share."""

    employee_id: DbId = Field(description="Whose leave this is; HR asks on their behalf")
    leave_type_id: DbId
    start_date: Day
    end_date: Day
    start_half: HalfDay | None = Field(default=None, description="pm: the first day starts after lunch")
    end_half: HalfDay | None = Field(default=None, description="am: the last day ends at lunch")
    start_time: time | None = Field(
        default=None, description="Hourly types: from this local time (start_date = end_date, inside the shift)"
    )
    end_time: time | None = Field(default=None, description="Hourly types: until this local time")

    def service_args(self) -> dict[str, Any]:
        """These fields as the leave services name them."""
        return {
            "employee_id": self.employee_id,
            "leave_type_id": self.leave_type_id,
            "start": self.start_date,
            "end": self.end_date,
            "start_half": self.start_half,
            "end_half": self.end_half,
            "start_time": self.start_time,
            "end_time": self.end_time,
        }


class LeaveCreate(LeaveDates):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "employee_id": 7,
                    "leave_type_id": 1,
                    "start_date": "2026-12-21",
                    "end_date": "2026-12-23",
                    "end_half": "am",
                    "reason": "Family visit",
                }
            ]
        }
    }

    reason: Reason | None = None
    attachment_file_id: FileId | None = Field(default=None, description="A document (e.g. a sick note) reference")


class LeaveQuoteRequest(LeaveDates):
    model_config = {
        "json_schema_extra": {
            "examples": [{"employee_id": 7, "leave_type_id": 1, "start_date": "2026-12-21", "end_date": "2026-12-23"}]
        }
    }

    has_attachment: bool | None = Field(default=None, description="Leave out to skip the attachment rule")


Level = Annotated[
    int | None,
    Field(
        default=None,
        ge=0,
        le=99,
        description="The approval chain level decided (stage of the request); a level already passed answers 409",
    ),
]


class DecisionBody(Strict):
    model_config = {"json_schema_extra": {"examples": [{"comment": "Enjoy!"}]}}

    comment: Reason | None = None
    level: Level = None


class RejectBody(Strict):
    model_config = {"json_schema_extra": {"examples": [{"reason": "Year-end closing; please pick January."}]}}

    reason: Reason = Field(description="Told to the employee")
    level: Level = None


class CancelBody(Strict):
    model_config = {"json_schema_extra": {"examples": [{"reason": "Plans changed"}]}}

    reason: Reason | None = None


class DayRangeOut(Out):
    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")


class AttendanceRefreshOut(Out):
    """Past days whose daily attendance this call changed."""

    reprocessed: DayRangeOut | None = Field(description="Re-processed now (GET /attendance/daily shows it)")
    not_reprocessed: DayRangeOut | None = Field(
        description="Older than ATTENDANCE_LOOKBACK_DAYS: left as they were (payroll may have used them)"
    )

    @classmethod
    def of(cls, refreshed: Any) -> AttendanceRefreshOut | None:
        if refreshed is None:
            return None

        def span(value: tuple[date, date] | None) -> DayRangeOut | None:
            return None if value is None else DayRangeOut(date_from=value[0], date_to=value[1])

        return cls(reprocessed=span(refreshed.reprocessed), not_reprocessed=span(refreshed.not_reprocessed))


class LeaveStepOut(Out):
    """What happened at one level: approved, rejected, escalated (nobody decided in time) or expired."""

    level: int | None = Field(description="The chain level (empty: a request without a chain)")
    outcome: str = Field(examples=["approved"])
    approver_id: int | None = Field(description="Who held the request at that level")
    decided_by_id: int | None
    decided_by: str
    comment: str | None
    at: datetime

    @classmethod
    def of(cls, step: Any) -> LeaveStepOut:
        return cls(
            level=step.level, outcome=step.outcome, approver_id=step.approver_id, decided_by_id=step.decided_by_id,
            decided_by=step.decided_by, comment=step.comment, at=step.at,
        )  # fmt: skip


class LeaveOut(Out):
    id: int
    employee_id: int
    employee_code: str
    employee_name: str
    leave_type_id: int
    leave_type_code: str
    leave_type_name: str
    start_date: date
    end_date: date
    start_half: HalfDay | None
    end_half: HalfDay | None
    working_days: Number
    reason: str | None
    status: LeaveStatus
    approver_id: int | None = Field(description="Who decides; empty when nobody could be routed (HR decides)")
    decided_by: str | None
    decided_at: datetime | None
    decision_comment: str | None
    attachment_file_id: str | None
    cancelled_at: datetime | None
    cancelled_by: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    unit: LeaveUnit = Field(description="days, or hours: then working_days counts hours")
    start_at: datetime | None = Field(description="Hourly leave: the booked range (UTC)")
    end_at: datetime | None
    minutes: int | None
    stage: int | None = Field(description="The approval chain level it waits at (empty without a chain)")
    escalated: bool = Field(description="Nobody decided in time; it was passed on (it expires next)")
    history: list[LeaveStepOut] = Field(description="Each level's decision so far, oldest first")
    attendance: AttendanceRefreshOut | None = Field(
        default=None, description="On approving, cancelling or booking: the past days whose attendance changed"
    )

    @classmethod
    def of(cls, row: LeaveRow) -> LeaveOut:
        r = row.request
        return cls(
            id=r.id,
            employee_id=r.employee_id,
            employee_code=row.employee_code,
            employee_name=row.employee_name,
            leave_type_id=r.leave_type_id,
            leave_type_code=row.leave_type_code,
            leave_type_name=row.leave_type_name,
            start_date=r.start_date,
            end_date=r.end_date,
            start_half=r.start_half,
            end_half=r.end_half,
            working_days=r.working_days,
            reason=r.reason,
            status=r.status,
            approver_id=r.approver_id,
            decided_by=r.decided_by,
            decided_at=r.decided_at,
            decision_comment=r.decision_comment,
            attachment_file_id=r.attachment_file_id,
            cancelled_at=r.cancelled_at,
            cancelled_by=r.cancelled_by,
            created_by=r.created_by,
            created_at=r.created_at,
            updated_at=r.updated_at,
            unit=row.unit,
            start_at=r.start_at,
            end_at=r.end_at,
            minutes=r.minutes,
            stage=r.stage,
            escalated=r.escalated,
            history=[LeaveStepOut.of(step) for step in row.steps],
        )

    def without_reasons(self) -> LeaveOut:
        """The request as a reader not entitled to its reasons sees it (``api.policy``: leave reasons)."""
        history = [h.model_copy(update={"comment": None}) for h in self.history]
        return self.model_copy(
            update={"reason": None, "decision_comment": None, "attachment_file_id": None, "history": history}
        )


class ViolationOut(Out):
    code: str = Field(examples=["insufficient_balance"])
    step: str | None = Field(description="What to change: dates, type, half_day, attachment or reason")
    message: str


class YearQuoteOut(Out):
    year: int = Field(description="A leave year the request's days fall in (past years count as this one)")
    working_days: Number
    balance: Number = Field(
        description="This year: posted as of the start; next year: projected (carry-over, allowance)"
    )
    reserved: Number = Field(description="Days held in that year by the employee's pending requests of this type")
    balance_after: Number


class QuoteOut(Out):
    ok: bool = Field(description="True when the request would be accepted as it is")
    working_days: Number
    year: int | None = Field(description="The leave year the balance figures speak of (the request's last)")
    balance: Number = Field(description="The balance of that leave year for this request (see `years`)")
    reserved: Number = Field(description="Days held in that year by the employee's pending requests of this type")
    balance_after: Number
    years: list[YearQuoteOut] = Field(description="Each leave year the request touches")
    approver_id: int | None
    approver_name: str | None
    level: int | None = Field(default=None, description="The approval chain level it would start at")
    minutes: int | None = Field(default=None, description="Hourly types: the booked minutes (working_days: hours)")
    auto_approved: bool = Field(description="The type needs no approval: the request would be approved at once")
    violations: list[ViolationOut]
