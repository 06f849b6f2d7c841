"""leaving dates, unscheduled punches on daily rows, idempotent leave requests

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 05:00:00

- ``employees.leaving_date``: the last day employed (days after it are neither processed nor reported).
- ``daily_attendance.unscheduled_punches``: punches outside every shift window, counted on the local day.
- ``leave_requests.idempotency_key``: a retried ``POST /leaves`` or bot Confirm returns the first request.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("employees") as batch:
        batch.add_column(sa.Column("leaving_date", sa.Date(), nullable=True))
    with op.batch_alter_table("daily_attendance") as batch:
        batch.add_column(sa.Column("unscheduled_punches", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("leave_requests") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=200), nullable=True))
        batch.create_unique_constraint("uq_leave_requests_idempotency_key", ["idempotency_key"])


def downgrade() -> None:
    with op.batch_alter_table("leave_requests") as batch:
        batch.drop_constraint("uq_leave_requests_idempotency_key", type_="unique")
        batch.drop_column("idempotency_key")
    with op.batch_alter_table("daily_attendance") as batch:
        batch.drop_column("unscheduled_punches")
    with op.batch_alter_table("employees") as batch:
        batch.drop_column("leaving_date")
