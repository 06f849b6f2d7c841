"""Approval chains, delegation, expiry and hourly leave

Revision ID: 0006
Revises: 0009
Create Date: 2026-12-03 08:00:00

- ``approval_chain_levels``: a leave type's ordered approval levels (company-wide, or per department).
- ``leave_steps``: what happened at each level of a request (approved, rejected, escalated, expired).
- ``delegations``: while one holds, a person's approvals go to their delegate.
- ``leave_types``: ``unit`` (days / hours), ``min_minutes``, ``step_minutes`` for hourly types,
  ``expire_after_days`` (working days a request may wait before it is escalated, then expires).
- ``leave_requests``: ``stage``, ``stage_since``, ``escalated`` (the chain level it waits at) and
  ``start_at``, ``end_at``, ``minutes`` (the range of an hourly request).
- ``leave_requests.status`` may now also be ``expired`` (a VARCHAR without a CHECK: no change).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.model.base

revision: str = "0006"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = shared.model.base.UTCDateTime(timezone=True)
DAYS = sa.Numeric(precision=7, scale=2, asdecimal=True)


def upgrade() -> None:
    op.create_table(
        "approval_chain_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("leave_type_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("department_scope", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("manager", "department_head", "hr", "person", name="levelkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("min_days", DAYS, nullable=True),
        sa.CheckConstraint(
            "(kind = 'person') = (person_id IS NOT NULL)", name=op.f("ck_approval_chain_levels_person_named")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_approval_chain_levels_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["leave_type_id"], ["leave_types.id"], name=op.f("fk_approval_chain_levels_leave_type_id_leave_types"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["employees.id"], name=op.f("fk_approval_chain_levels_person_id_employees"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_chain_levels")),
        sa.UniqueConstraint(
            "leave_type_id", "department_scope", "position", name=op.f("uq_approval_chain_levels_leave_type_id_department_scope_position")
        ),
    )  # fmt: skip
    op.create_table(
        "leave_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["approver_id"], ["employees.id"], name=op.f("fk_leave_steps_approver_id_employees"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["employees.id"], name=op.f("fk_leave_steps_decided_by_id_employees"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["leave_requests.id"], name=op.f("fk_leave_steps_request_id_leave_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leave_steps")),
    )  # fmt: skip
    op.create_index("ix_leave_steps_request", "leave_steps", ["request_id"], unique=False)
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegator_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_delegations_dates_ordered")),
        sa.CheckConstraint("delegator_id <> delegate_id", name=op.f("ck_delegations_not_self")),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["employees.id"], name=op.f("fk_delegations_delegate_id_employees"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["delegator_id"], ["employees.id"], name=op.f("fk_delegations_delegator_id_employees"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
    )
    op.create_index(
        "ix_delegations_delegator_dates", "delegations", ["delegator_id", "start_date", "end_date"], unique=False
    )
    with op.batch_alter_table("leave_types") as batch:
        batch.add_column(
            sa.Column(
                "unit",
                sa.Enum("days", "hours", name="leaveunit", native_enum=False, length=8),
                nullable=False,
                server_default="days",
            )
        )
        batch.add_column(sa.Column("min_minutes", sa.Integer(), nullable=False, server_default="30"))
        batch.add_column(sa.Column("step_minutes", sa.Integer(), nullable=False, server_default="30"))
        batch.add_column(sa.Column("expire_after_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("leave_requests") as batch:
        batch.add_column(sa.Column("stage", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("stage_since", UTC, nullable=True))
        batch.add_column(sa.Column("escalated", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("start_at", UTC, nullable=True))
        batch.add_column(sa.Column("end_at", UTC, nullable=True))
        batch.add_column(sa.Column("minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leave_requests") as batch:
        for column in ("minutes", "end_at", "start_at", "escalated", "stage_since", "stage"):
            batch.drop_column(column)
    with op.batch_alter_table("leave_types") as batch:
        for column in ("expire_after_days", "step_minutes", "min_minutes", "unit"):
            batch.drop_column(column)
    op.drop_index("ix_delegations_delegator_dates", table_name="delegations")
    op.drop_table("delegations")
    op.drop_index("ix_leave_steps_request", table_name="leave_steps")
    op.drop_table("leave_steps")
    op.drop_table("approval_chain_levels")
