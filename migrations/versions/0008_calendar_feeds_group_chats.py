"""Calendar feeds and linked group chats

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:00:00

- ``calendar_feeds``: secret iCalendar URLs (a keyed hash of the token; person / team / company scope;
  revocable).
- ``group_chats``: Telegram groups linked to a department for the morning "who's out" post
  (``last_posted_on`` makes that post once a day; ``approvals_seen_at`` is where new approvals were
  posted up to).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.model.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column(
            "scope",
            sa.Enum("person", "team", "company", name="feedscope", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("include_shifts", sa.Boolean(), nullable=False),
        sa.Column("created_at", shared.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", shared.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", shared.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_calendar_feeds_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["employees.id"], name=op.f("fk_calendar_feeds_owner_id_employees"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    op.create_index(op.f("ix_calendar_feeds_owner_id"), "calendar_feeds", ["owner_id"], unique=False)
    op.create_table(
        "group_chats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", shared.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_posted_on", sa.Date(), nullable=True),
        sa.Column("approvals_seen_at", shared.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_group_chats_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["linked_by_id"], ["employees.id"], name=op.f("fk_group_chats_linked_by_id_employees"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_chats")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_group_chats_chat_id")),
    )
    op.create_index(op.f("ix_group_chats_department_id"), "group_chats", ["department_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_group_chats_department_id"), table_name="group_chats")
    op.drop_table("group_chats")
    op.drop_index(op.f("ix_calendar_feeds_owner_id"), table_name="calendar_feeds")
    op.drop_table("calendar_feeds")
