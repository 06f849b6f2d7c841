"""Working-time compliance: violations, acknowledgements, rule layers; personal data: legal holds, erasure."""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import Field

from api.schemas.common import DbId, LocalTime, Out, Strict
from shared.domain.compliance import RuleCode

Minutes = int | None


class ViolationOut(Out):
    id: int
    employee_id: int
    rule: RuleCode
    label: str = Field(description="The rule's name in the reader's language")
    period_start: date
    period_end: date
    limit_value: int
    actual: int
    excess: int = Field(description="By how much the rule was broken (for the rest: how much rest was missing)")
    unit: str = Field(description="minutes or days")
    detected_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    acknowledgement_comment: str | None


class AcknowledgeIn(Strict):
    comment: str = Field(min_length=1, max_length=2000, description="What was done about it")

    model_config = {"json_schema_extra": {"examples": [{"comment": "Spoke with the team lead; rota changed."}]}}


class RuleValues(Strict):
    """Limits in minutes unless named otherwise; a missing or null field inherits from the layer below."""

    min_daily_rest: Minutes = None
    max_daily: Minutes = None
    break_after: Minutes = None
    min_break: Minutes = None
    night_start: LocalTime | None = None
    night_end: LocalTime | None = None
    night_worker_minutes: Minutes = None
    max_night_shift: Minutes = None
    max_consecutive_days: int | None = None
    max_weekly_average: Minutes = None
    reference_weeks: int | None = None
    disabled: list[RuleCode] | None = Field(default=None, description="Rules turned off in this scope")


class RuleIn(RuleValues):
    department_id: DbId | None = Field(default=None, description="This department's layer")
    shift_id: DbId | None = Field(default=None, description="This shift's layer (neither: company-wide)")

    model_config = {
        "json_schema_extra": {"examples": [{"department_id": 2, "max_daily": 600, "disabled": ["night_work"]}]}
    }


class RuleOut(Out):
    id: int
    scope_key: str
    department_id: int | None
    shift_id: int | None
    min_daily_rest: int | None
    max_daily: int | None
    break_after: int | None
    min_break: int | None
    night_start: time | None
    night_end: time | None
    night_worker_minutes: int | None
    max_night_shift: int | None
    max_consecutive_days: int | None
    max_weekly_average: int | None
    reference_weeks: int | None
    disabled: str | None
    updated_at: datetime


class LegalHoldIn(Strict):
    legal_hold: bool
    reason: str | None = Field(default=None, max_length=500, description="Required to set a hold")

    model_config = {"json_schema_extra": {"examples": [{"legal_hold": True, "reason": "Pending tribunal case"}]}}


class LegalHoldOut(Out):
    employee_id: int
    legal_hold: bool


class ErasedOut(Out):
    employee_id: int
    anonymised: dict[str, int] = Field(description="Rows touched, by kind")
