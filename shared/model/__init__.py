"""All tables; importing this package registers every model on ``Base.metadata``."""

from shared.domain.enums import *  # noqa: F403 - the enums are part of the model's vocabulary
from shared.model.absences import CalendarFeed, GroupChat
from shared.model.attendance import DailyAttendance, Device, Punch
from shared.model.base import Base, UTCDateTime, utcnow
from shared.model.compliance import ComplianceRule, ComplianceViolation
from shared.model.leave import LeaveBlackout, LeaveLedgerEntry, LeaveRequest, LeaveType
from shared.model.org import Department, Employee, Holiday, HolidayCalendar, Office, Shift
from shared.model.system import ActionLink, ApiToken, AuditLog, Invitation, JobRun, OutboxMessage
from shared.model.workflows import LatenessNotice, OvertimeDecision, PunchCorrection

__all__ = [
    "ActionLink",
    "ApiToken",
    "AuditLog",
    "Base",
    "CalendarFeed",
    "ComplianceRule",
    "ComplianceViolation",
    "DailyAttendance",
    "Department",
    "Device",
    "Employee",
    "GroupChat",
    "Holiday",
    "HolidayCalendar",
    "Invitation",
    "JobRun",
    "LatenessNotice",
    "LeaveBlackout",
    "LeaveLedgerEntry",
    "LeaveRequest",
    "LeaveType",
    "Office",
    "OutboxMessage",
    "OvertimeDecision",
    "Punch",
    "PunchCorrection",
    "Shift",
    "UTCDateTime",
    "utcnow",
]
