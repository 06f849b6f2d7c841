"""Missed-punch corrections, overtime decisions and lateness notices (issue 14: corrections, overtime, lateness)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.domain.enums import CorrectionStatus, Direction, LatenessPeriod, LatenessStatus, OvertimeStatus
from shared.model.base import Base, Days, JSONType, enum_column, utcnow


class PunchCorrection(Base):
    """An employee's request to add a punch they forgot; approved, it becomes a punch of source ``correction``."""

    __tablename__ = "punch_corrections"
    __table_args__ = (
        Index("ix_punch_corrections_approver_status", "approver_id", "status"),
        Index("ix_punch_corrections_employee_date", "employee_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date())
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, 8))
    instant: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text())
    status: Mapped[CorrectionStatus] = mapped_column(enum_column(CorrectionStatus), default=CorrectionStatus.PENDING)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(Text())
    punch_id: Mapped[int | None] = mapped_column(ForeignKey("punches.id", ondelete="SET NULL"))
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "<who asked>:<key>" from an Idempotency-Key header or the bot: a retried create returns this row.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)


class OvertimeDecision(Base):
    """A manager's decision on one day's overtime; approved, it credits time off in lieu through the ledger."""

    __tablename__ = "overtime_decisions"
    __table_args__ = (UniqueConstraint("employee_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date())
    minutes: Mapped[int]
    status: Mapped[OvertimeStatus] = mapped_column(enum_column(OvertimeStatus))
    credit_days: Mapped[Decimal] = mapped_column(Days, default=Decimal(0))
    leave_type_id: Mapped[int | None] = mapped_column(ForeignKey("leave_types.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime]
    comment: Mapped[str | None] = mapped_column(Text())
    reversed_by: Mapped[str | None] = mapped_column(String(120))
    reversed_at: Mapped[datetime | None]


class LatenessNotice(Base):
    """One crossing of the lateness threshold: the late days it counted, the notice and the optional deduction."""

    __tablename__ = "lateness_notices"
    __table_args__ = (UniqueConstraint("employee_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    # The crossing, e.g. "month:2026-11-20" (the period and the last late day counted): at most one notice each.
    key: Mapped[str] = mapped_column(String(64))
    period: Mapped[LatenessPeriod] = mapped_column(enum_column(LatenessPeriod))
    threshold: Mapped[int]
    late_days: Mapped[list[Any]] = mapped_column(JSONType)
    triggered_on: Mapped[date] = mapped_column(Date())
    deducted_days: Mapped[Decimal] = mapped_column(Days, default=Decimal(0))
    leave_type_id: Mapped[int | None] = mapped_column(ForeignKey("leave_types.id", ondelete="SET NULL"))
    status: Mapped[LatenessStatus] = mapped_column(enum_column(LatenessStatus), default=LatenessStatus.ACTIVE)
    waived_by: Mapped[str | None] = mapped_column(String(120))
    waived_at: Mapped[datetime | None]
    waive_reason: Mapped[str | None] = mapped_column(Text())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
