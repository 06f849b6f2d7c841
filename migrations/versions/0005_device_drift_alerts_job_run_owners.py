"""64-bit clock drift and drift alerts on devices, lock owner on job runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 06:00:00

- ``devices.clock_drift_seconds`` becomes BIGINT: a device clock set to 2099 is ~2.3e9 s ahead, which
  overflowed the 32-bit column and rolled back every sync of that device.
- ``devices.drift_alerted_at``: HR was told the device clock is off (once, cleared when it is right again).
- ``job_runs.lock_key`` and ``job_runs.owner``: the Redis lock a RUNNING run holds and its owner, so that a run
  left RUNNING by a killed process is recognised and marked FAILED by the next run that starts (index on
  ``status, lock_key``: the RUNNING rows are read at every start).
- ``job_runs.status`` may now also be ``partial`` (a VARCHAR without a CHECK: no change in the database).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.alter_column(
            "clock_drift_seconds", type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=True
        )
        batch.add_column(sa.Column("drift_alerted_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("job_runs") as batch:
        batch.add_column(sa.Column("lock_key", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("owner", sa.String(length=120), nullable=True))
    op.create_index("ix_job_runs_status_lock_key", "job_runs", ["status", "lock_key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_job_runs_status_lock_key", table_name="job_runs")
    with op.batch_alter_table("job_runs") as batch:
        batch.drop_column("owner")
        batch.drop_column("lock_key")
    op.execute("UPDATE devices SET clock_drift_seconds = NULL WHERE abs(clock_drift_seconds) > 2147483647")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("drift_alerted_at")
        batch.alter_column(
            "clock_drift_seconds", type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=True
        )
