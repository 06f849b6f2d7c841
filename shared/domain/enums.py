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
    TOIL = "toil"
    """Time off in lieu credited for approved overtime."""
    LATENESS = "lateness"
    """A deduction under the lateness policy (its waiver posts a ``reversal``)."""


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
    CORRECTION = "correction"
    """An approved missed-punch correction (the punch names who approved it)."""


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


class CorrectionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class OvertimeStatus(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    REVERSED = "reversed"
    """Approved, then taken back by HR: the time off in lieu was reversed in the ledger."""


class LatenessPeriod(StrEnum):
    MONTH = "month"
    ROLLING_30 = "rolling30"


class LatenessStatus(StrEnum):
    ACTIVE = "active"
    WAIVED = "waived"


class FeedScope(StrEnum):
    """Whose absences a calendar feed carries: one person's, a department's, or everyone's."""

    PERSON = "person"
    TEAM = "team"
    COMPANY = "company"
