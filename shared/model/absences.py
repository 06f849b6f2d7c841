"""Seeing absences: calendar feed tokens and the Telegram groups linked to a department."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.domain.enums import FeedScope
from shared.model.base import Base, enum_column, utcnow


class CalendarFeed(Base):
    """A secret iCalendar URL: the token is shown once and stored as a keyed hash (like API tokens)."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    scope: Mapped[FeedScope] = mapped_column(enum_column(FeedScope))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    include_shifts: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class GroupChat(Base):
    """A Telegram group linked to a department: who's out is posted there each working morning."""

    __tablename__ = "group_chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger(), unique=True)
    title: Mapped[str] = mapped_column(String(255), default="")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"), index=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_posted_on: Mapped[date | None] = mapped_column(Date())  # the morning post went out for this day
    approvals_seen_at: Mapped[datetime | None]  # approvals decided up to here were posted
