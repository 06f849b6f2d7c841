"""Leave types: allowance, accrual, carry-over and the request rules of each kind of leave."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from api.schemas.common import Days, NameTranslations, Number, Out, Patch, Strict, Text
from shared.domain.enums import Accrual
from shared.domain.hourly import LeaveUnit
from shared.services.crud import CODE_PATTERN

Code = Text(32, pattern=CODE_PATTERN)
Name = Text(120)
Allowance = Days(0, 366)
Rounding = Days(0, 1)
DayCount = Annotated[int, Field(ge=0, le=365)]
Months = Annotated[int, Field(ge=0, le=120)]
MaxDays = Annotated[int, Field(ge=1, le=366)]
Minutes = Annotated[int, Field(ge=5, le=24 * 60)]
ExpiryDays = Annotated[int, Field(ge=1, le=60)]

_EXAMPLE = {
    "code": "annual",
    "name": "Annual leave",
    "paid": True,
    "yearly_allowance": 24,
    "accrual": "monthly",
    "accrual_rounding": 0.5,
    "carry_over_cap": 5,
    "carry_over_expiry_months": 3,
    "min_notice_days": 7,
    "max_consecutive_days": 20,
    "half_days_allowed": True,
    "negative_allowed": False,
    "approval_required": True,
    "attachment_required": False,
    "backdate_days": 0,
}


class LeaveTypeCreate(Strict):
    model_config = {"json_schema_extra": {"examples": [_EXAMPLE]}}

    code: Code
    name: Name
    name_translations: NameTranslations | None = None
    paid: bool = True
    yearly_allowance: Allowance = Field(default=Decimal(0), description="Days per year (0..366)")
    accrual: Accrual = Accrual.YEARLY
    accrual_rounding: Rounding = Field(default=Decimal("0.5"), description="Accruals round to this step; 0 = no step")
    carry_over_cap: Allowance | None = Field(default=None, description="Most days carried into the next year")
    carry_over_expiry_months: Months | None = None
    min_notice_days: DayCount = 0
    max_consecutive_days: MaxDays | None = None
    half_days_allowed: bool = True
    negative_allowed: bool = False
    approval_required: bool = True
    attachment_required: bool = False
    backdate_days: DayCount = 0
    active: bool = True
    public: bool = Field(
        default=False, description="Teammates may see this type (e.g. remote work); otherwise they see only 'away'"
    )
    unit: LeaveUnit = Field(
        default=LeaveUnit.DAYS, description="hours: booked as a time range inside the shift; allowance in hours"
    )
    min_minutes: Minutes = Field(default=30, description="Hourly types: the shortest booking")
    step_minutes: Minutes = Field(default=30, description="Hourly types: bookings are multiples of this")
    expire_after_days: ExpiryDays | None = Field(
        default=None,
        description="Working days a request may wait at one level: then it goes to the next level or HR, and "
        "after as many days again it expires. Empty: never",
    )


class LeaveTypeUpdate(Patch):
    model_config = {"json_schema_extra": {"examples": [{"yearly_allowance": 26, "active": True}]}}

    code: Code = None
    name: Name = None
    name_translations: NameTranslations | None = None
    paid: bool = None
    yearly_allowance: Allowance = None
    accrual: Accrual = None
    accrual_rounding: Rounding = None
    carry_over_cap: Allowance | None = None
    carry_over_expiry_months: Months | None = None
    min_notice_days: DayCount = None
    max_consecutive_days: MaxDays | None = None
    half_days_allowed: bool = None
    negative_allowed: bool = None
    approval_required: bool = None
    attachment_required: bool = None
    backdate_days: DayCount = None
    active: bool = None
    public: bool = None
    unit: LeaveUnit = None
    min_minutes: Minutes = None
    step_minutes: Minutes = None
    expire_after_days: ExpiryDays | None = None


class LeaveTypeOut(Out):
    id: int
    code: str
    name: str
    name_translations: dict[str, str] | None
    paid: bool
    yearly_allowance: Number
    accrual: Accrual
    accrual_rounding: Number
    carry_over_cap: Number | None
    carry_over_expiry_months: int | None
    min_notice_days: int
    max_consecutive_days: int | None
    half_days_allowed: bool
    negative_allowed: bool
    approval_required: bool
    attachment_required: bool
    backdate_days: int
    active: bool
    public: bool
    unit: LeaveUnit
    min_minutes: int
    step_minutes: int
    expire_after_days: int | None
