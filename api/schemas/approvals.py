"""Approval chains of leave types and delegations of approvers."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field, model_validator

from api.schemas.common import Day, Days, DbId, Number, Out, Strict, Text
from shared.domain.approval import ChainLevel, LevelKind
from shared.services.leave.delegations import DelegationView

DelegationReason = Text(200)
MinDays = Days(0, 366)


class ChainLevelIn(Strict):
    kind: LevelKind = Field(description="manager (up the manager chain), department_head, hr, or person")
    person_id: DbId | None = Field(default=None, description="For kind person: who decides this level")
    min_days: MinDays | None = Field(
        default=None, description="The level applies only to requests longer than this many days"
    )

    @model_validator(mode="after")
    def _person_named(self) -> ChainLevelIn:
        if (self.kind is LevelKind.PERSON) != (self.person_id is not None):
            raise ValueError("person_id is given exactly for kind person")
        return self

    def level(self) -> ChainLevel:
        return ChainLevel(self.kind, self.person_id, self.min_days)


class ChainIn(Strict):
    model_config = {
        "json_schema_extra": {"examples": [{"levels": [{"kind": "manager"}, {"kind": "hr", "min_days": 5}]}]}
    }

    department_id: DbId | None = Field(default=None, description="This department's own chain; empty: company-wide")
    levels: list[ChainLevelIn] = Field(max_length=5, description="In order; empty removes the chain")


class ChainLevelOut(Out):
    position: int
    kind: LevelKind
    person_id: int | None
    min_days: Number | None


class ChainOut(Out):
    leave_type_id: int
    department_id: int | None
    levels: list[ChainLevelOut]

    @classmethod
    def of(cls, leave_type_id: int, department_id: int | None, levels: list[ChainLevel]) -> ChainOut:
        return cls(
            leave_type_id=leave_type_id,
            department_id=department_id,
            levels=[
                ChainLevelOut(position=i, kind=v.kind, person_id=v.person_id, min_days=v.min_days)
                for i, v in enumerate(levels)
            ],
        )


class DelegationCreate(Strict):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {"delegator_id": 3, "delegate_id": 5, "start_date": "2026-12-21", "end_date": "2026-12-31",
                 "reason": "Holiday"}
            ]
        }
    }  # fmt: skip

    delegator_id: DbId = Field(description="Whose approvals are passed on")
    delegate_id: DbId = Field(description="Who decides them meanwhile")
    start_date: Day
    end_date: Day
    reason: DelegationReason | None = None


class DelegationOut(Out):
    id: int
    delegator_id: int
    delegator_name: str
    delegate_id: int
    delegate_name: str
    start_date: date
    end_date: date
    reason: str
    created_by: str
    created_at: datetime
    ended_at: datetime | None = Field(description="Ended early (DELETE); empty while it runs to its end date")

    @classmethod
    def of(cls, view: DelegationView) -> DelegationOut:
        r = view.row
        return cls(
            id=r.id, delegator_id=r.delegator_id, delegator_name=view.delegator_name, delegate_id=r.delegate_id,
            delegate_name=view.delegate_name, start_date=r.start_date, end_date=r.end_date, reason=r.reason,
            created_by=r.created_by, created_at=r.created_at, ended_at=r.revoked_at,
        )  # fmt: skip
