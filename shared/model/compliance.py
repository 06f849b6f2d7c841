"""Working-time compliance: rule settings (company-wide, per department, per shift) and the violations found."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.model.base import Base, BigId, utcnow


class ComplianceRule(Base):
    """One layer of working-time limits: company-wide (no department, no shift), a department's or a shift's.

    A NULL limit inherits from the layer below (defaults < company < department < shift)."""

    __tablename__ = "compliance_rules"
    __table_args__ = (
        CheckConstraint("department_id IS NULL OR shift_id IS NULL", name="one_scope"),
        UniqueConstraint("scope_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_key: Mapped[str] = mapped_column(String(40))
    """``company``, ``department:<id>`` or ``shift:<id>``: one row per scope."""
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    min_daily_rest: Mapped[int | None]
    max_daily: Mapped[int | None]
    break_after: Mapped[int | None]
    min_break: Mapped[int | None]
    night_start: Mapped[time | None] = mapped_column(Time())
    night_end: Mapped[time | None] = mapped_column(Time())
    night_worker_minutes: Mapped[int | None]
    max_night_shift: Mapped[int | None]
    max_consecutive_days: Mapped[int | None]
    max_weekly_average: Mapped[int | None]
    reference_weeks: Mapped[int | None]
    disabled: Mapped[str | None] = mapped_column(String(200))
    """Comma-separated rule codes turned off in this scope; NULL inherits, empty turns all back on."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ComplianceViolation(Base):
    """A broken working-time rule, kept in step with the punches: one row per (employee, rule, period start)."""

    __tablename__ = "compliance_violations"
    __table_args__ = (
        UniqueConstraint("employee_id", "rule", "period_start"),
        Index("ix_compliance_violations_period_start", "period_start"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(24))
    period_start: Mapped[date] = mapped_column(Date())
    period_end: Mapped[date] = mapped_column(Date())
    limit_value: Mapped[int]
    actual: Mapped[int]
    excess: Mapped[int]
    unit: Mapped[str] = mapped_column(String(8))
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    """Set when re-processing shows the rule is kept after all (only acknowledged rows are kept so)."""
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))
    acknowledgement_comment: Mapped[str | None] = mapped_column(Text())
