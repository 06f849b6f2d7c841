"""The daily HR digest as data: attendance exceptions by department, unknown users, who is out today.

Rendering (translations, XLSX) happens elsewhere; :class:`DigestKind` values are the stable codes.

Rules decided here:

* Exceptions of one attendance row (a person may have several: late *and* early exit):
  ABSENT status → ``absent`` (absent without leave: leave days are ON_LEAVE / HALF_LEAVE);
  HALF_LEAVE with no punch → ``absent_half`` (the working half was missed);
  punches but no check-out after the first check-in → ``missing_checkout`` (``missing_checkin`` when
  there is no check-in at all, e.g. a lone check-out), also on days off and half-leave days;
  HALF_DAY → ``half_day`` (minutes = worked minutes); ``late_minutes > 0`` → ``late``;
  ``early_exit_minutes > 0`` → ``early_exit``; punches outside the shift window → ``unscheduled``. ON_LEAVE,
  HOLIDAY, WEEKEND and PRESENT rows without those are not exceptions. Rows of other dates than the
  digest's are ignored.
* A day that is not over for someone (``is_final`` False: their shift window is still open) is "so far":
  only what is already certain is reported (``late``, ``unscheduled``); absence, a missing check-out, an
  early exit or a half day wait until the day is over. ``not_over`` counts those people.
* Groups are sorted by department name (case-insensitive; people without a department last), rows by
  employee name, code, then kind (declaration order below). An attendance row whose employee is not in
  ``employees`` is listed under no department with ``#<id>`` as name.
* Unknown device users: one row per (device, device user id) with the count and first / last instant of
  the punches passed in (the caller passes the digest period's punches).
* Who is out: approved leave covering ``today`` (defaults to the digest date); ``half`` tells which half
  when only half of today is on leave; the return date is the same day when the leave ends at noon
  (``end_half`` am), else the first day after the leave in the person's work week that is not in
  ``holidays``. Hourly leave (``starts_at``/``ends_at``) is listed with its range, away for those hours
  only: back the same day; a whole or half day of leave of the same person today wins over their hours.
* Undelivered: the dead outbox messages passed in (the caller passes those written since the digest day
  began), one row per (channel, person or address) with the count and the last error, sorted by channel, then
  name; messages to nobody in particular (no person) are grouped by address.
* Working-time violations (their own section): the open ones (not acknowledged, not resolved) whose period
  touches the digest date, sorted like the exceptions (department, name, code) then by rule and period.
  They stay in every digest until HR acknowledges them.
* Punch corrections: those about the digest's date and those decided on it (the caller passes them),
  each once, sorted by name, day, id; a pending one says it waits.
* ``is_quiet``: nothing at all to report — no exception, unknown user, offline device, dead outbox
  message, punch correction, working-time violation, nor anybody out today.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from shared.domain.attendance import DayResult
from shared.domain.digest_sections import CorrectionRow as CorrectionRow
from shared.domain.digest_sections import DeadMessage as DeadMessage
from shared.domain.digest_sections import EmployeeInfo as EmployeeInfo
from shared.domain.digest_sections import OffSiteCheckin as OffSiteCheckin
from shared.domain.digest_sections import UndeliveredRow as UndeliveredRow
from shared.domain.digest_sections import ViolationRow as ViolationRow
from shared.domain.digest_sections import name_key, violations_on
from shared.domain.digest_sections import undelivered_rows as undelivered_rows
from shared.domain.enums import AttendanceStatus, HalfDay
from shared.domain.names import localized_name

# The section types are part of this module's interface (callers import them from here too).


class DigestKind(StrEnum):
    """Stable codes of the digest's exception kinds (message ids and XLSX columns key on them)."""

    ABSENT = "absent"
    ABSENT_HALF = "absent_half"
    LATE = "late"
    EARLY_EXIT = "early_exit"
    MISSING_CHECKOUT = "missing_checkout"
    MISSING_CHECKIN = "missing_checkin"
    HALF_DAY = "half_day"
    UNSCHEDULED = "unscheduled"
    UNKNOWN_USER = "unknown_user"


_KIND_ORDER = {kind: index for index, kind in enumerate(DigestKind)}
_NOT_EXCEPTIONS = (AttendanceStatus.ON_LEAVE, AttendanceStatus.HOLIDAY, AttendanceStatus.WEEKEND)


@dataclass(frozen=True, slots=True)
class UnknownPunch:
    """A device punch whose device user id maps to no employee."""

    device_id: int | None
    device_user_id: str | None
    instant: dt.datetime
    device_name: str | None = None


@dataclass(frozen=True, slots=True)
class OfflineDevice:
    id: int
    name: str
    last_success_at: dt.datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class ApprovedLeave:
    """An approved leave request (``leave_type`` is the type's display name)."""

    id: int
    employee_id: int
    leave_type: str
    start_date: dt.date
    end_date: dt.date
    start_half: HalfDay | None = None
    end_half: HalfDay | None = None
    starts_at: dt.datetime | None = None  # hourly leave: away only from ``starts_at`` to ``ends_at`` (UTC)
    ends_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class DigestRow:
    kind: DigestKind
    employee_id: int
    code: str
    full_name: str
    department_name: str | None
    minutes: int | None = None


@dataclass(frozen=True, slots=True)
class DepartmentGroup:
    department_name: str | None
    rows: tuple[DigestRow, ...]


@dataclass(frozen=True, slots=True)
class UnknownUserRow:
    device_id: int | None
    device_name: str | None
    device_user_id: str | None
    punch_count: int
    first_instant: dt.datetime
    last_instant: dt.datetime


@dataclass(frozen=True, slots=True)
class OutRow:
    employee_id: int
    code: str
    full_name: str
    department_name: str | None
    leave_type: str
    leave_request_id: int
    return_date: dt.date
    half: HalfDay | None = None
    starts_at: dt.datetime | None = None  # hourly leave: away only from ``starts_at`` to ``ends_at`` (UTC)
    ends_at: dt.datetime | None = None

    @property
    def hours(self) -> tuple[dt.datetime, dt.datetime] | None:
        """The booked range of hourly leave, None when the person is away for the day (or half of it)."""
        return (self.starts_at, self.ends_at) if self.starts_at is not None and self.ends_at is not None else None


@dataclass(frozen=True, slots=True)
class Digest:
    date: dt.date
    today: dt.date
    groups: tuple[DepartmentGroup, ...] = ()
    unknown_users: tuple[UnknownUserRow, ...] = ()
    who_is_out: tuple[OutRow, ...] = ()
    offline_devices: tuple[OfflineDevice, ...] = ()
    dead_outbox: int = 0
    counts: Mapping[DigestKind, int] = field(default_factory=dict)
    undelivered: tuple[UndeliveredRow, ...] = ()
    not_over_ids: frozenset[int] = frozenset()
    violations: tuple[ViolationRow, ...] = ()
    corrections: tuple[CorrectionRow, ...] = ()
    off_site: tuple[OffSiteCheckin, ...] = ()
    # ("department" | "leave_type", name as typed) -> {locale: name}: each reader sees the names in their language
    translations: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)

    def name_in(self, kind: str, name: str, locale: str) -> str:
        return localized_name(name, self.translations.get((kind, name)), locale)

    @property
    def not_over(self) -> int:
        """How many people's day is not over yet."""
        return len(self.not_over_ids)

    @property
    def rows(self) -> tuple[DigestRow, ...]:
        """All exception rows in display order."""
        return tuple(row for group in self.groups for row in group.rows)

    @property
    def exception_count(self) -> int:
        return sum(self.counts.values())

    @property
    def so_far(self) -> bool:
        """Some people's day is not over yet: what the digest says of them is provisional."""
        return self.not_over > 0

    @property
    def is_quiet(self) -> bool:
        return not (
            self.groups
            or self.unknown_users
            or self.who_is_out
            or self.offline_devices
            or self.dead_outbox
            or self.not_over
            or self.off_site
            or self.violations
            or self.corrections
        )


def exceptions_of(result: DayResult) -> list[tuple[DigestKind, int | None]]:
    """The exception kinds (with their minutes) one attendance row contributes to the digest."""
    if not result.is_final:
        return _so_far(result)
    status = result.status
    if status == AttendanceStatus.ABSENT:
        return [(DigestKind.ABSENT, None)]
    if status in _NOT_EXCEPTIONS:
        return []
    if status == AttendanceStatus.HALF_LEAVE and result.punch_count == 0:
        return [(DigestKind.ABSENT_HALF, None)]
    found: list[tuple[DigestKind, int | None]] = []
    if result.punch_count > 0 and result.first_in is None:
        found.append((DigestKind.MISSING_CHECKIN, None))
    elif result.punch_count > 0 and result.last_out is None:
        found.append((DigestKind.MISSING_CHECKOUT, None))
    if status == AttendanceStatus.HALF_DAY:
        found.append((DigestKind.HALF_DAY, result.worked_minutes))
    if result.late_minutes > 0:
        found.append((DigestKind.LATE, result.late_minutes))
    if result.early_exit_minutes > 0:
        found.append((DigestKind.EARLY_EXIT, result.early_exit_minutes))
    if result.unscheduled_punches > 0:
        found.append((DigestKind.UNSCHEDULED, None))
    return found


def _so_far(result: DayResult) -> list[tuple[DigestKind, int | None]]:
    """What is already certain about a day that is not over: lateness and unscheduled punches."""
    found: list[tuple[DigestKind, int | None]] = []
    if result.late_minutes > 0 and result.status not in _NOT_EXCEPTIONS:
        found.append((DigestKind.LATE, result.late_minutes))
    if result.unscheduled_punches > 0:
        found.append((DigestKind.UNSCHEDULED, None))
    return found


def return_date(leave: ApprovedLeave, work_week: str = "12345", holidays: Collection[dt.date] = ()) -> dt.date:
    """The day the person is back: the leave's last day when it ends at noon, else the next working day."""
    if leave.end_half == HalfDay.MORNING:
        return leave.end_date
    day = leave.end_date + dt.timedelta(days=1)
    for _ in range(366):
        if str(day.isoweekday()) in work_week and day not in holidays:
            return day
        day += dt.timedelta(days=1)
    return leave.end_date + dt.timedelta(days=1)


def _who_is_out(
    leaves: Iterable[ApprovedLeave],
    today: dt.date,
    employees: Mapping[int, EmployeeInfo],
    holidays: Collection[dt.date],
) -> tuple[OutRow, ...]:
    rows = []
    covering = [leave for leave in leaves if leave.start_date <= today <= leave.end_date]
    away_for_days = {leave.employee_id for leave in covering if leave.starts_at is None}
    for leave in covering:
        hourly = leave.starts_at is not None and leave.ends_at is not None
        if hourly and leave.employee_id in away_for_days:
            continue  # a whole or half day of leave wins over hours the same day
        person = employees.get(leave.employee_id) or EmployeeInfo(leave.employee_id, "", f"#{leave.employee_id}")
        half = None
        if today == leave.start_date and leave.start_half == HalfDay.AFTERNOON:
            half = HalfDay.AFTERNOON
        elif today == leave.end_date and leave.end_half == HalfDay.MORNING:
            half = HalfDay.MORNING
        back = today if hourly else return_date(leave, person.work_week, holidays)
        rows.append(
            OutRow(
                person.id, person.code, person.full_name, person.department_name, leave.leave_type, leave.id, back,
                half, leave.starts_at if hourly else None, leave.ends_at if hourly else None,
            )
        )  # fmt: skip
    rows.sort(key=lambda r: (name_key(r.department_name), r.full_name.casefold(), r.code, r.leave_request_id))
    return tuple(rows)


def _unknown_users(punches: Iterable[UnknownPunch]) -> tuple[UnknownUserRow, ...]:
    seen: dict[tuple[int | None, str | None], list[UnknownPunch]] = defaultdict(list)
    for punch in punches:
        seen[(punch.device_id, punch.device_user_id)].append(punch)
    rows = []
    for (device_id, user_id), group in seen.items():
        names = sorted({p.device_name for p in group if p.device_name})
        instants = [p.instant for p in group]
        rows.append(
            UnknownUserRow(device_id, names[0] if names else None, user_id, len(group), min(instants), max(instants))
        )
    rows.sort(key=lambda r: (name_key(r.device_name), r.device_id or 0, r.device_user_id or ""))
    return tuple(rows)


def build_digest(
    *,
    date: dt.date,
    results: Iterable[DayResult],
    employees: Mapping[int, EmployeeInfo],
    unknown_punches: Iterable[UnknownPunch] = (),
    offline_devices: Iterable[OfflineDevice] = (),
    dead_outbox: int = 0,
    dead_messages: Iterable[DeadMessage] = (),
    leaves: Iterable[ApprovedLeave] = (),
    today: dt.date | None = None,
    holidays: Collection[dt.date] = (),
    violations: Iterable[ViolationRow] = (),
    corrections: Iterable[CorrectionRow] = (),
) -> Digest:
    """The digest for attendance ``date`` and who is out on ``today`` (default: the same date)."""
    today = date if today is None else today
    by_department: dict[str | None, list[DigestRow]] = defaultdict(list)
    counts = dict.fromkeys(DigestKind, 0)
    not_over: set[int] = set()
    for result in results:
        if result.date != date or result.employee_id is None:
            continue
        if not result.is_final:
            not_over.add(result.employee_id)
        found = exceptions_of(result)
        if not found:
            continue
        person = employees.get(result.employee_id) or EmployeeInfo(result.employee_id, "", f"#{result.employee_id}")
        for kind, minutes in found:
            row = DigestRow(kind, person.id, person.code, person.full_name, person.department_name, minutes)
            by_department[person.department_name].append(row)
            counts[kind] += 1
    groups = tuple(
        DepartmentGroup(
            name,
            tuple(sorted(rows, key=lambda r: (r.full_name.casefold(), r.code, r.employee_id, _KIND_ORDER[r.kind]))),
        )
        for name, rows in sorted(by_department.items(), key=lambda item: name_key(item[0]))
    )
    unknown = _unknown_users(unknown_punches)
    counts[DigestKind.UNKNOWN_USER] = len(unknown)
    return Digest(
        date=date,
        today=today,
        groups=groups,
        unknown_users=unknown,
        who_is_out=_who_is_out(leaves, today, employees, holidays),
        offline_devices=tuple(sorted(offline_devices, key=lambda d: (d.name.casefold(), d.id))),
        dead_outbox=dead_outbox,
        counts=counts,
        undelivered=undelivered_rows(dead_messages, employees),
        not_over_ids=frozenset(not_over),
        violations=violations_on(violations, date, employees),
        corrections=tuple(
            sorted(
                {c.correction_id: c for c in corrections}.values(),
                key=lambda c: (c.full_name.casefold(), c.day, c.correction_id),
            )
        ),
    )


def digest_within(digest: Digest, employee_ids: Collection[int]) -> Digest:
    """The digest as a reader limited to ``employee_ids`` sees it: their rows only, no device details,
    unknown badges or undeliverable messages (those are HR's)."""
    ids = set(employee_ids)
    groups = tuple(
        DepartmentGroup(g.department_name, rows)
        for g in digest.groups
        if (rows := tuple(r for r in g.rows if r.employee_id in ids))
    )
    counts: dict[DigestKind, int] = defaultdict(int)
    for group in groups:
        for row in group.rows:
            counts[row.kind] += 1
    return Digest(
        date=digest.date,
        today=digest.today,
        groups=groups,
        who_is_out=tuple(o for o in digest.who_is_out if o.employee_id in ids),
        counts=dict(counts),
        not_over_ids=frozenset(digest.not_over_ids & ids),
        violations=tuple(v for v in digest.violations if v.employee_id in ids),
        corrections=tuple(c for c in digest.corrections if c.employee_id in ids),
    )
