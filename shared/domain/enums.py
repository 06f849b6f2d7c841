"""String enums shared by the tables, the domain rules and the interfaces."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR = "hr"
    ADMIN = "admin"


class TokenRole(StrEnum):
    ADMIN = "admin"
    HR = "hr"
    MANAGER = "manager"
    READONLY = "readonly"
    METRICS = "metrics"  # reads /metrics and nothing else (for Prometheus)


class HoursMode(StrEnum):
    FIRST_LAST = "first_last"
    PAIRS = "pairs"


class Accrual(StrEnum):
    NONE = "none"
    MONTHLY = "monthly"
    YEARLY = "yearly"


class HalfDay(StrEnum):
    MORNING = "am"
    AFTERNOON = "pm"


class LeaveStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class LedgerKind(StrEnum):
    ALLOCATION = "allocation"
    ACCRUAL = "accrual"
    CARRY_OVER = "carry_over"
    EXPIRY = "expiry"
    TAKEN = "taken"
    REVERSAL = "reversal"
    ADJUSTMENT = "adjustment"


class DeviceProtocol(StrEnum):
    TCP = "tcp"
    UDP = "udp"


class DeviceStatus(StrEnum):
    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"
    ERROR = "error"


class DirectionMode(StrEnum):
    BY_CODE = "code"
    ALTERNATE = "alternate"


class PunchSource(StrEnum):
    DEVICE = "device"
    TELEGRAM = "telegram"
    MANUAL = "manual"
    API = "api"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"
    UNKNOWN = "unknown"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    HALF_DAY = "half_day"
    INCOMPLETE = "incomplete"
    ON_LEAVE = "on_leave"
    HALF_LEAVE = "half_leave"
    HOLIDAY = "holiday"
    WEEKEND = "weekend"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


class JobStatus(StrEnum):
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"
    PARTIAL = "partial"
    """Some parts failed and the others were done (e.g. two of five devices could not be read)."""


class Channel(StrEnum):
    """How a notification reaches a person: one outbox row per channel."""

    TELEGRAM = "telegram"
    EMAIL = "email"


class ChannelChoice(StrEnum):
    """Which channels a person wants (``auto``: Telegram when linked, else e-mail)."""

    AUTO = "auto"
    TELEGRAM = "telegram"
    EMAIL = "email"
    BOTH = "both"
