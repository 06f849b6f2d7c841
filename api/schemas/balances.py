"""Leave balances per type, the ledger behind them, and HR's adjustments."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from api.schemas.common import Day, Days, DbId, Number, Out, Strict, Text
from shared.domain.enums import LedgerKind
from shared.domain.hourly import LeaveUnit


class BalanceLineOut(Out):
    leave_type_id: int
    code: str
    name: str
    paid: bool
    unit: LeaveUnit = Field(description="days, or hours for a type booked in hours: every figure counts that unit")
    year: int = Field(description="The leave year these figures belong to (the year of as_of)")
    balance: Number = Field(description="Posted on the ledger up to as_of (next year's leave not counted)")
    reserved: Number = Field(description="Held by pending requests in this leave year")
    available: Number = Field(description="balance - reserved: what a new request this year may use")
    year_end: Number = Field(description="Projected for December 31 (accruals still to come), minus reserved")
    next_year: int
    next_year_available: Number = Field(
        description="What a request in next year may use: this year's capped carry-over and next year's "
        "entitlement, minus next year's pending and approved leave"
    )


class BalancesOut(Out):
    employee_id: int
    as_of: date
    balances: list[BalanceLineOut]


class LedgerEntryOut(Out):
    id: int
    employee_id: int
    leave_type_id: int
    kind: LedgerKind
    delta: Number
    effective_date: date
    request_id: int | None
    note: str | None
    actor: str = Field(description="Who posted it: a token, an employee, or a job")
    created_at: datetime


class LedgerAdjust(Strict):
    model_config = {
        "json_schema_extra": {
            "examples": [{"employee_id": 7, "leave_type_id": 1, "delta": 1.5, "note": "Worked on the 3rd of October"}]
        }
    }

    employee_id: DbId
    leave_type_id: DbId
    delta: Days(-366, 366) = Field(description="Days to add (negative to take away), at most 2 decimals")
    note: Text(2000) = Field(description="Why; kept on the ledger for good")
    effective_date: Day | None = Field(default=None, description="Defaults to today in the employee's zone")
