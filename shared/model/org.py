"""The company: departments, offices, shifts, holiday calendars and employees."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Numeric, String, Time, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from shared.domain.enums import ChannelChoice, HoursMode, Role
from shared.domain.names import localized_name
from shared.model.base import Base, enum_column, utcnow


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    head_id: Mapped[int | None] = mapped_column(
        ForeignKey("employees.id", ondelete="SET NULL", use_alter=True, name="fk_departments_head_id_employees")
    )
    max_absent_share: Mapped[Decimal | None] = mapped_column(Numeric(4, 3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # {"ru": "Склад", "ar": "المستودع"}: the name in each reader's language (shared.domain.names)
    name_translations: Mapped[dict[str, Any] | None]

    def name_for(self, locale: str) -> str:
        return localized_name(self.name, self.name_translations, locale)


class Office(Base):
    """A place people check in at; a geofence when latitude, longitude and radius are set."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    radius_m: Mapped[int | None]
    # people of this office may check in without a location (working remotely); HR sees such check-ins
    remote_allowed: Mapped[bool] = mapped_column(default=False, server_default=false())


class Shift(Base):
    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("late_grace_minutes >= 0 AND early_grace_minutes >= 0", name="grace_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    start_time: Mapped[time] = mapped_column(Time())
    end_time: Mapped[time] = mapped_column(Time())
    late_grace_minutes: Mapped[int] = mapped_column(default=0)
    early_grace_minutes: Mapped[int] = mapped_column(default=0)
    half_day_hours: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("4"))
    absent_hours: Mapped[Decimal] = mapped_column(Numeric(4, 2), default=Decimal("1"))
    checkin_before_minutes: Mapped[int] = mapped_column(default=120)
    checkout_after_minutes: Mapped[int] = mapped_column(default=240)
    hours_mode: Mapped[HoursMode] = mapped_column(enum_column(HoursMode), default=HoursMode.FIRST_LAST)


class HolidayCalendar(Base):
    __tablename__ = "holiday_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    country: Mapped[str | None] = mapped_column(String(8))
    subdivision: Mapped[str | None] = mapped_column(String(16))


class Holiday(Base):
    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("calendar_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("holiday_calendars.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date())
    name: Mapped[str] = mapped_column(String(200))


class Employee(Base):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.EMPLOYEE)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger(), unique=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="SET NULL"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id", ondelete="SET NULL"))
    holiday_calendar_id: Mapped[int | None] = mapped_column(ForeignKey("holiday_calendars.id", ondelete="SET NULL"))
    # ISO weekdays worked, Monday=1 … Sunday=7, e.g. "12345" for Monday to Friday.
    work_week: Mapped[str] = mapped_column(String(7), default="12345")
    hire_date: Mapped[date | None] = mapped_column(Date())
    # The last day employed: no day after it is processed or reported, access ends the day after.
    leaving_date: Mapped[date | None] = mapped_column(Date())
    active: Mapped[bool] = mapped_column(default=True)
    device_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    # How notifications reach the person (shared/domain/channels.py); chosen in the bot's /settings or by HR.
    notify_channels: Mapped[ChannelChoice] = mapped_column(enum_column(ChannelChoice), default=ChannelChoice.AUTO)
    # HR and admins: the daily digest by e-mail too (the digest's List-Unsubscribe link turns it off).
    digest_email: Mapped[bool] = mapped_column(default=True)
    # A legal hold forbids anonymising the person (retention and erasure on request) while it is set.
    legal_hold: Mapped[bool] = mapped_column(default=False)
    # When the person's personal data was replaced (retention or erasure); None while it is kept.
    anonymised_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
