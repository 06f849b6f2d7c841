"""Working-time compliance (rule layers, violations) and personal-data retention (legal hold, anonymised)

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-03 08:00:00

- ``compliance_rules``: working-time limits per scope (``company``, ``department:<id>``, ``shift:<id>``);
  NULL limits inherit (defaults < company < department < shift).
- ``compliance_violations``: one row per (employee, rule, period start), upserted when days are processed.
- ``employees.legal_hold``: anonymising the person is refused while it is set.
- ``employees.anonymised_at``: when the person's personal data was replaced.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "compliance_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_key", sa.String(length=40), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("shift_id", sa.Integer(), nullable=True),
        sa.Column("min_daily_rest", sa.Integer(), nullable=True),
        sa.Column("max_daily", sa.Integer(), nullable=True),
        sa.Column("break_after", sa.Integer(), nullable=True),
        sa.Column("min_break", sa.Integer(), nullable=True),
        sa.Column("night_start", sa.Time(), nullable=True),
        sa.Column("night_end", sa.Time(), nullable=True),
        sa.Column("night_worker_minutes", sa.Integer(), nullable=True),
        sa.Column("max_night_shift", sa.Integer(), nullable=True),
        sa.Column("max_consecutive_days", sa.Integer(), nullable=True),
        sa.Column("max_weekly_average", sa.Integer(), nullable=True),
        sa.Column("reference_weeks", sa.Integer(), nullable=True),
        sa.Column("disabled", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("department_id IS NULL OR shift_id IS NULL", name=op.f("ck_compliance_rules_one_scope")),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_compliance_rules_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shifts.id"], name=op.f("fk_compliance_rules_shift_id_shifts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_rules")),
        sa.UniqueConstraint("scope_key", name=op.f("uq_compliance_rules_scope_key")),
    )  # fmt: skip
    op.create_table(
        "compliance_violations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=24), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("limit_value", sa.Integer(), nullable=False),
        sa.Column("actual", sa.Integer(), nullable=False),
        sa.Column("excess", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=120), nullable=True),
        sa.Column("acknowledgement_comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name=op.f("fk_compliance_violations_employee_id_employees"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_violations")),
        sa.UniqueConstraint(
            "employee_id", "rule", "period_start", name=op.f("uq_compliance_violations_employee_id_rule_period_start")
        ),
    )  # fmt: skip
    op.create_index(
        "ix_compliance_violations_period_start", "compliance_violations", ["period_start"], unique=False
    )
    with op.batch_alter_table("employees") as batch:
        batch.add_column(sa.Column("legal_hold", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("employees") as batch:
        batch.drop_column("anonymised_at")
        batch.drop_column("legal_hold")
    op.drop_index("ix_compliance_violations_period_start", table_name="compliance_violations")
    op.drop_table("compliance_violations")
    op.drop_table("compliance_rules")
