"""E-mail as a second channel: channel choice per person, outbox rows per channel, e-mail action links

Revision ID: 0009
Revises: 0012
Create Date: 2026-12-03 08:00:00

- ``employees.notify_channels`` (``auto`` / ``telegram`` / ``email`` / ``both``; existing people: ``auto``,
  i.e. Telegram when linked, else e-mail) and ``employees.digest_email`` (the digest's unsubscribe link).
- ``outbox.channel`` (existing rows: ``telegram``), ``outbox.email_to``, ``outbox.employee_id`` (indexed: HR
  lists a person's notifications);
  ``outbox.chat_id`` becomes nullable (an e-mail row has none).
- ``action_links``: signed, single-use, expiring links in e-mails (approve / reject a leave request).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("employees") as batch:
        batch.add_column(sa.Column("notify_channels", sa.String(length=16), nullable=False, server_default="auto"))
        batch.add_column(sa.Column("digest_email", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=True)
        batch.add_column(sa.Column("channel", sa.String(length=16), nullable=False, server_default="telegram"))
        batch.add_column(sa.Column("email_to", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("employee_id", sa.BigInteger(), nullable=True))
    op.create_index("ix_outbox_employee_id", "outbox", ["employee_id"], unique=False)
    op.create_table(
        "action_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("leave_request_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_for", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employees.id"], name="fk_action_links_employee_id_employees", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["leave_request_id"],
            ["leave_requests.id"],
            name="fk_action_links_leave_request_id_leave_requests",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_action_links"),
        sa.UniqueConstraint("token_hash", name="uq_action_links_token_hash"),
    )
    op.create_index("ix_action_links_employee_id", "action_links", ["employee_id"], unique=False)
    op.create_index("ix_action_links_leave_request_id", "action_links", ["leave_request_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_action_links_leave_request_id", table_name="action_links")
    op.drop_index("ix_action_links_employee_id", table_name="action_links")
    op.drop_table("action_links")
    op.drop_index("ix_outbox_employee_id", table_name="outbox")
    op.execute("DELETE FROM outbox WHERE chat_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("employee_id")
        batch.drop_column("email_to")
        batch.drop_column("channel")
        batch.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=False)
    with op.batch_alter_table("employees") as batch:
        batch.drop_column("digest_email")
        batch.drop_column("notify_channels")
