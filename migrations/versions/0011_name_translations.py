"""Names in each reader's language; remote check-ins per office

Revision ID: 0011
Revises: 0013
Create Date: 2026-12-03 08:00:00

- ``leave_types.name_translations`` and ``departments.name_translations``: JSON maps of locale to name
  (``{"ru": "Ежегодный отпуск", "ar": "إجازة سنوية"}``); empty means the name as typed for every reader.
- ``offices.remote_allowed``: people of the office may check in without sharing a location (working remotely).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    for table in ("leave_types", "departments"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("name_translations", JSON, nullable=True))
    with op.batch_alter_table("offices") as batch:
        batch.add_column(sa.Column("remote_allowed", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("offices") as batch:
        batch.drop_column("remote_allowed")
    for table in ("leave_types", "departments"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("name_translations")
