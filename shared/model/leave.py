"""Leave types, requests, blackouts and the append-only balance ledger."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.domain.enums import Accrual, HalfDay, LeaveStatus, LedgerKind
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
