"""Leave types, requests, blackouts and the append-only balance ledger."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.domain.approval import LevelKind
from shared.domain.enums import Accrual, HalfDay, LeaveStatus, LedgerKind
from shared.domain.hourly import LeaveUnit
from shared.domain.names import localized_name
from shared.model.base import Base, Days, enum_column, utcnow


class LeaveType(Base):
    __tablename__ = "leave_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    paid: Mapped[bool] = mapped_column(default=True)
    yearly_allowance: Mapped[Decimal] = mapped_column(Days, default=Decimal(0))
    accrual: Mapped[Accrual] = mapped_column(enum_column(Accrual), default=Accrual.YEARLY)
    accrual_rounding: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("0.5"))
    carry_over_cap: Mapped[Decimal | None] = mapped_column(Days)
    carry_over_expiry_months: Mapped[int | None]
    min_notice_days: Mapped[int] = mapped_column(default=0)
    max_consecutive_days: Mapped[int | None]
    half_days_allowed: Mapped[bool] = mapped_column(default=True)
    negative_allowed: Mapped[bool] = mapped_column(default=False)
    approval_required: Mapped[bool] = mapped_column(default=True)
    attachment_required: Mapped[bool] = mapped_column(default=False)
    backdate_days: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # Teammates may see this type (e.g. remote work); otherwise they only see "away".
    public: Mapped[bool] = mapped_column(default=False)
    # Booked in days or in hours (allowance, ledger and balances then count hours).
    unit: Mapped[LeaveUnit] = mapped_column(enum_column(LeaveUnit, 8), default=LeaveUnit.DAYS)
    min_minutes: Mapped[int] = mapped_column(default=30)
    step_minutes: Mapped[int] = mapped_column(default=30)
    # A request nobody decides within this many working days is escalated, then expires (None: never).
    expire_after_days: Mapped[int | None]
    # {"ru": "Ежегодный отпуск", "ar": "إجازة سنوية"}: the name in each reader's language (shared.domain.names)
    name_translations: Mapped[dict[str, Any] | None]

    def name_for(self, locale: str) -> str:
        return localized_name(self.name, self.name_translations, locale)


class LeaveBlackout(Base):
    """Dates a department (or everyone, when department is empty) may not take leave."""

    __tablename__ = "leave_blackouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    start_date: Mapped[date] = mapped_column(Date())
    end_date: Mapped[date] = mapped_column(Date())
    reason: Mapped[str] = mapped_column(String(200), default="")


class LeaveRequest(Base):
    __tablename__ = "leave_requests"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        Index("ix_leave_requests_approver_status", "approver_id", "status"),
        Index("ix_leave_requests_employee_dates", "employee_id", "start_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    leave_type_id: Mapped[int] = mapped_column(ForeignKey("leave_types.id"))
    start_date: Mapped[date] = mapped_column(Date())
    end_date: Mapped[date] = mapped_column(Date())
    start_half: Mapped[HalfDay | None] = mapped_column(enum_column(HalfDay, 2))
    end_half: Mapped[HalfDay | None] = mapped_column(enum_column(HalfDay, 2))
    working_days: Mapped[Decimal] = mapped_column(Days)
    reason: Mapped[str | None] = mapped_column(Text())
    status: Mapped[LeaveStatus] = mapped_column(enum_column(LeaveStatus), default=LeaveStatus.PENDING)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(Text())
    attachment_file_id: Mapped[str | None] = mapped_column(String(255))
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(120))
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    # "<who asked>:<key>" from an Idempotency-Key header or the bot wizard: a retried create returns this row.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # Approval chain: the level it waits at (index into the type's chain; None without a chain), since when,
    # and whether it was already escalated for waiting too long.
    stage: Mapped[int | None]
    stage_since: Mapped[datetime | None]
    escalated: Mapped[bool] = mapped_column(default=False)
    # Hourly leave: the range (UTC) on start_date, and its minutes; working_days then holds hours.
    start_at: Mapped[datetime | None]
    end_at: Mapped[datetime | None]
    minutes: Mapped[int | None]

    __mapper_args__ = {"version_id_col": version}


class LeaveLedgerEntry(Base):
    """One movement of a balance; rows are only ever inserted (balance = sum of deltas)."""

    __tablename__ = "leave_ledger"
    __table_args__ = (Index("ix_leave_ledger_employee_type_date", "employee_id", "leave_type_id", "effective_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    leave_type_id: Mapped[int] = mapped_column(ForeignKey("leave_types.id"))
    kind: Mapped[LedgerKind] = mapped_column(enum_column(LedgerKind))
    delta: Mapped[Decimal] = mapped_column(Days)
    effective_date: Mapped[date] = mapped_column(Date())
    request_id: Mapped[int | None] = mapped_column(ForeignKey("leave_requests.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text())
    actor: Mapped[str] = mapped_column(String(120))
    # Makes a periodic posting idempotent, e.g. "accrual:2026-03", "taken:req:17"; NULL for adjustments.
    key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApprovalChainLevel(Base):
    """One level of a leave type's approval chain (per department when ``department_id`` is set)."""

    __tablename__ = "approval_chain_levels"
    __table_args__ = (
        UniqueConstraint("leave_type_id", "department_scope", "position"),
        CheckConstraint("(kind = 'person') = (person_id IS NOT NULL)", name="person_named"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    leave_type_id: Mapped[int] = mapped_column(ForeignKey("leave_types.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    # 0 for the company-wide chain, else the department id (NULLs are never equal in a unique key).
    department_scope: Mapped[int] = mapped_column(default=0)
    position: Mapped[int]
    kind: Mapped[LevelKind] = mapped_column(enum_column(LevelKind, 20))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    min_days: Mapped[Decimal | None] = mapped_column(Days)


class LeaveStep(Base):
    """What happened at one level of a request: approved, rejected, escalated or expired (append-only)."""

    __tablename__ = "leave_steps"
    __table_args__ = (Index("ix_leave_steps_request", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("leave_requests.id", ondelete="CASCADE"))
    level: Mapped[int | None]
    outcome: Mapped[str] = mapped_column(String(16))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    decided_by: Mapped[str] = mapped_column(String(120))
    comment: Mapped[str | None] = mapped_column(Text())
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Delegation(Base):
    """While it holds (start..end, both included), ``delegator``'s approvals go to ``delegate``."""

    __tablename__ = "delegations"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint("delegator_id <> delegate_id", name="not_self"),
        Index("ix_delegations_delegator_dates", "delegator_id", "start_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delegator_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    start_date: Mapped[date] = mapped_column(Date())
    end_date: Mapped[date] = mapped_column(Date())
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
