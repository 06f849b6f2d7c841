"""Devices, raw punches (facts) and daily attendance (derived from punches, shifts, leave, holidays)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared.domain.enums import (
    AttendanceStatus,
    DeviceProtocol,
    DeviceStatus,
    Direction,
    DirectionMode,
    PunchSource,
)
from shared.model.base import Base, BigId, enum_column, utcnow


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int] = mapped_column(default=4370)
    protocol: Mapped[DeviceProtocol] = mapped_column(enum_column(DeviceProtocol, 3), default=DeviceProtocol.TCP)
    password: Mapped[int] = mapped_column(default=0)
    timezone: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(String(200))
    serial: Mapped[str | None] = mapped_column(String(64))
    firmware: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[DeviceStatus] = mapped_column(enum_column(DeviceStatus), default=DeviceStatus.UNKNOWN)
    active: Mapped[bool] = mapped_column(default=True)
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text())
    last_record_count: Mapped[int | None]
    last_record_size: Mapped[int | None] = mapped_column(SmallInteger())
    last_record_raw: Mapped[str | None] = mapped_column(String(80))
    """Hex of the last record stored from the device: with the count, the mark an incremental sync starts from."""
    clock_drift_seconds: Mapped[int | None] = mapped_column(BigInteger())
    """Device clock minus the real time at the last successful read; 64 bits (a clock set to 2099 is ~2.3e9 s)."""
    offline_alerted_at: Mapped[datetime | None]
    drift_alerted_at: Mapped[datetime | None]
    """When HR was told the clock is off by more than DEVICE_CLOCK_ALERT_SECONDS; cleared once it is right again."""
    clear_after_sync: Mapped[bool] = mapped_column(default=False)
    direction_mode: Mapped[DirectionMode] = mapped_column(enum_column(DirectionMode), default=DirectionMode.BY_CODE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Punch(Base):
    """A raw punch. Its references to the employee and the device are foreign keys on SQLite; on PostgreSQL
    statement-level triggers enforce the same rules (migration 0014): PostgreSQL checks a foreign key row by
    row, which doubled the time of storing a device's log (issue 13; docs/performance.md, "ZK device sync")."""

    __tablename__ = "punches"
    __table_args__ = (
        ForeignKeyConstraint(["employee_id"], ["employees.id"], ondelete="SET NULL").ddl_if(dialect="sqlite"),
        ForeignKeyConstraint(["device_id"], ["devices.id"], ondelete="SET NULL").ddl_if(dialect="sqlite"),
        UniqueConstraint("device_id", "device_user_id", "instant"),
        Index("ix_punches_employee_instant", "employee_id", "instant"),
        Index("ix_punches_instant", "instant"),
        Index("ix_punches_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    employee_id: Mapped[int | None]
    device_id: Mapped[int | None]
    device_user_id: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[PunchSource] = mapped_column(enum_column(PunchSource))
    instant: Mapped[datetime]
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, 8), default=Direction.UNKNOWN)
    raw_status: Mapped[int | None]
    raw_punch: Mapped[int | None]
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    distance_m: Mapped[int | None]
    inside_geofence: Mapped[bool | None]
    note: Mapped[str | None] = mapped_column(Text())
    created_by: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DailyAttendance(Base):
    __tablename__ = "daily_attendance"
    __table_args__ = (
        UniqueConstraint("employee_id", "date"),
        Index("ix_daily_attendance_date_status", "date", "status"),
        Index("ix_daily_attendance_date_employee", "date", "employee_id"),  # day lists in employee order
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date())
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    first_in: Mapped[datetime | None]
    last_out: Mapped[datetime | None]
    worked_minutes: Mapped[int] = mapped_column(default=0)
    late_minutes: Mapped[int] = mapped_column(default=0)
    early_exit_minutes: Mapped[int] = mapped_column(default=0)
    worked_on_day_off: Mapped[bool] = mapped_column(default=False)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="SET NULL"))
    leave_request_id: Mapped[int | None] = mapped_column(ForeignKey("leave_requests.id", ondelete="SET NULL"))
    punch_count: Mapped[int] = mapped_column(default=0)
    # Punches of the day outside every shift window (unscheduled work): counted, never dropped.
    unscheduled_punches: Mapped[int] = mapped_column(default=0)
    # Minutes worked beyond the shift (past the threshold), or all worked minutes of a day off.
    overtime_minutes: Mapped[int] = mapped_column(default=0)
    is_final: Mapped[bool] = mapped_column(default=False)
    manual_override: Mapped[bool] = mapped_column(default=False)
    override_reason: Mapped[str | None] = mapped_column(Text())
    override_by: Mapped[str | None] = mapped_column(String(120))
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)
