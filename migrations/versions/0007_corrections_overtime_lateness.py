"""Missed-punch corrections, overtime on the daily rows with its decisions, lateness notices

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-03 08:00:00

- ``punch_corrections``: a person's request to add a forgotten punch; approved, ``punch_id`` names the punch
  of source ``correction`` it became (``punches.source`` is a VARCHAR without a CHECK: no change there).
- ``daily_attendance.overtime_minutes``: minutes beyond the shift (past the threshold), or a day off's work.
- ``overtime_decisions``: one per person and day (unique), approved / rejected / reversed, with the credit.
- ``lateness_notices``: one per person and threshold crossing (unique on ``employee_id, key``).
- ``leave_ledger.kind`` may now also be ``toil`` and ``lateness`` (a VARCHAR without a CHECK).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.model.base

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = shared.model.base.UTCDateTime(timezone=True)


def _enum(length: int = 16) -> sa.String:
    return sa.String(length=length)


def upgrade() -> None:
    with op.batch_alter_table("daily_attendance") as batch:
        batch.add_column(sa.Column("overtime_minutes", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "punch_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("direction", _enum(8), nullable=False),
        sa.Column("instant", UTC, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", _enum(), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", UTC, nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.Column("punch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["employee_id"], ["employees.id"], name=op.f("fk_punch_corrections_employee_id_employees"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["approver_id"], ["employees.id"], name=op.f("fk_punch_corrections_approver_id_employees"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["employees.id"], name=op.f("fk_punch_corrections_decided_by_id_employees"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["punch_id"], ["punches.id"], name=op.f("fk_punch_corrections_punch_id_punches"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_punch_corrections")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_punch_corrections_idempotency_key")),
    )  # fmt: skip
    op.create_index("ix_punch_corrections_approver_status", "punch_corrections", ["approver_id", "status"])
    op.create_index("ix_punch_corrections_employee_date", "punch_corrections", ["employee_id", "date"])
    op.create_table(
        "overtime_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("status", _enum(), nullable=False),
        sa.Column("credit_days", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("leave_type_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", UTC, nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reversed_by", sa.String(length=120), nullable=True),
        sa.Column("reversed_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["employee_id"], ["employees.id"], name=op.f("fk_overtime_decisions_employee_id_employees"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["leave_type_id"], ["leave_types.id"], name=op.f("fk_overtime_decisions_leave_type_id_leave_types"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["employees.id"], name=op.f("fk_overtime_decisions_decided_by_id_employees"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overtime_decisions")),
        sa.UniqueConstraint("employee_id", "date", name=op.f("uq_overtime_decisions_employee_id_date")),
    )  # fmt: skip
    op.create_table(
        "lateness_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("period", _enum(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("late_days", sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("triggered_on", sa.Date(), nullable=False),
        sa.Column("deducted_days", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("leave_type_id", sa.Integer(), nullable=True),
        sa.Column("status", _enum(), nullable=False),
        sa.Column("waived_by", sa.String(length=120), nullable=True),
        sa.Column("waived_at", UTC, nullable=True),
        sa.Column("waive_reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employees.id"], name=op.f("fk_lateness_notices_employee_id_employees"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["leave_type_id"], ["leave_types.id"], name=op.f("fk_lateness_notices_leave_type_id_leave_types"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lateness_notices")),
        sa.UniqueConstraint("employee_id", "key", name=op.f("uq_lateness_notices_employee_id_key")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("lateness_notices")
    op.drop_table("overtime_decisions")
    op.drop_index("ix_punch_corrections_employee_date", table_name="punch_corrections")
    op.drop_index("ix_punch_corrections_approver_status", table_name="punch_corrections")
    op.drop_table("punch_corrections")
    with op.batch_alter_table("daily_attendance") as batch:
        batch.drop_column("overtime_minutes")
