"""Plumbing tables: invitations, API tokens, the notification outbox, the audit log and job runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.domain.enums import Channel, JobStatus, OutboxStatus, TokenRole
from shared.model.base import Base, BigId, enum_column, utcnow


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(128), unique=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_telegram_id: Mapped[int | None] = mapped_column(BigInteger())
    revoked_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # HR confirmed that redeeming this code may move an already linked employee to another Telegram account.
    relink: Mapped[bool] = mapped_column(default=False)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[TokenRole] = mapped_column(enum_column(TokenRole))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]  # refused from this instant on; None: until revoked


class OutboxMessage(Base):
    """A message to deliver over one channel (Telegram: ``chat_id``; e-mail: ``email_to``); written in the same
    transaction as the change it announces. A notification to a person on two channels is two rows."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_outbox_chat_status", "chat_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger())
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.TELEGRAM)
    email_to: Mapped[str | None] = mapped_column(String(254))
    employee_id: Mapped[int | None] = mapped_column(BigInteger(), index=True)  # whom it is for, for HR's view
    payload: Mapped[dict[str, Any]]
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary())
    ref: Mapped[str | None] = mapped_column(String(120), index=True)
    status: Mapped[OutboxStatus] = mapped_column(enum_column(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text())
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class ActionLink(Base):
    """A signed, single-use, expiring link in an e-mail that lets its recipient act (decide a leave request).

    The link carries a random token; only its keyed hash is stored. ``used_at`` is set in the transaction
    that acts (the row locked first), so two clicks of one link make one decision.
    """

    __tablename__ = "action_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    purpose: Mapped[str] = mapped_column(String(32))  # "leave_decision"
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    leave_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("leave_requests.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_for: Mapped[str | None] = mapped_column(String(32))  # "approve" / "reject"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity", "entity_id"),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_actor", "actor"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    old: Mapped[dict[str, Any] | None]
    new: Mapped[dict[str, Any] | None]
    request_id: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class JobRun(Base):
    __tablename__ = "job_runs"
    __table_args__ = (
        Index("ix_job_runs_job_started", "job", "started_at"),
        Index("ix_job_runs_status_lock_key", "status", "lock_key"),  # the RUNNING rows, checked at every start
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), default=JobStatus.RUNNING)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text())
    trigger: Mapped[str | None] = mapped_column(String(32))
    lock_key: Mapped[str | None] = mapped_column(String(200))
    """The Redis lock the run holds while RUNNING; a RUNNING row whose lock is gone or held by another owner
    belongs to a crashed process and is marked FAILED by whoever takes the lock over (or at scheduler start)."""
    owner: Mapped[str | None] = mapped_column(String(120))
    """The lock owner (host:pid:random) of the process that runs it."""
