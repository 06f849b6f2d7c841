"""The mark of the stored part of each device's attendance log

Revision ID: 0013
Revises: 0006
Create Date: 2026-12-03 08:00:00

- ``devices.last_record_size`` and ``devices.last_record_raw``: the record size (8, 16 or 40 bytes) and the raw
  bytes (hex) of the last record stored from the device; with ``last_record_count`` they let the next sync fetch
  only the records appended since, after checking the device still holds that record at that position
  (a cleared, rotated or rewritten log is read whole).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("last_record_size", sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column("last_record_raw", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("last_record_raw")
        batch.drop_column("last_record_size")
