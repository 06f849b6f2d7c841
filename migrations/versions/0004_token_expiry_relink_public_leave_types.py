"""token expiry, explicit re-links, public leave types

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 06:00:00

- ``api_tokens.expires_at``: a token is refused from this instant on (empty: until revoked).
- ``invitations.relink``: HR confirmed that this code may move an already linked employee to another
  Telegram account; without it, redeeming never re-links.
- ``leave_types.public``: teammates may see this type in team views (e.g. remote work); other types
  show as "away" to everyone but the person, their approvers and HR.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.model.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", shared.model.base.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("relink", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("leave_types") as batch:
        batch.add_column(sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("leave_types") as batch:
        batch.drop_column("public")
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("relink")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
