"""Leave requests as values: dates with half days, working-day counting, and the ``Violation`` a rule returns.

Everything here is pure: no clock, no I/O. The dataclasses mirror the columns of ``leave_types`` and
``leave_requests`` so a service can build them field by field from a row.

Half days (fixed by the table): a one-day request has ``start_half == end_half`` in {am, pm} or both
``None``; a request of several days may only start in the afternoon (``start_half="pm"``) and only end
at lunch (``end_half="am"``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from shared.domain.enums import Accrual, HalfDay, LeaveStatus
from shared.errors import N_, NP_, ChronosError, Invalid

MAX_SPAN_DAYS = 366
FULL_DAY: frozenset[HalfDay] = frozenset({HalfDay.MORNING, HalfDay.AFTERNOON})
ONE = Decimal(1)
HALF = Decimal("0.5")
ZERO = Decimal(0)
ACTIVE_STATUSES = frozenset({LeaveStatus.PENDING, LeaveStatus.APPROVED})


class _Translator(Protocol):
    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


class Step(StrEnum):
    """The step of the request flow a user goes back to in order to fix a violation."""

    DATES = "dates"
    TYPE = "type"
    HALF_DAY = "half_day"
    ATTACHMENT = "attachment"
    REASON = "reason"


@dataclasses.dataclass(frozen=True)
class Violation:
    """A broken rule: a stable ``code``, an untranslated message with ``{named}`` params, the step to fix."""

    code: str
    message: str
    field: Step | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    plural: str | None = None
    n: int | None = None

    @classmethod
    def counted(cls, code: str, forms: tuple[str, str], n: int, field: Step | None = None, **params: Any) -> Violation:
        """A violation whose message has a singular and a plural form chosen by ``n``."""
        return cls(code, forms[0], field, {"n": n, **params}, forms[1], n)

    def as_error(self, cls: type[RuleViolated] | None = None) -> RuleViolated:
        """This violation as an exception the edges already know how to render (``InvalidRequest`` by default)."""
        return (cls or InvalidRequest)(self)

    def render(self, translator: _Translator) -> str:
        """The message in the translator's language with its parameters filled in."""
        return self.as_error().render(translator)


class RuleViolated(ChronosError):
    """Raised when a rule is broken where a return value will not do; carries the ``Violation``.

    ``code`` is the violation's code; ``details`` holds it with the step to fix. Raised as one of its
    subclasses, each also an ``Invalid``, ``Forbidden`` or ``Conflict`` (see ``leave_state``).
    """

    status = Invalid.status

    def __init__(self, violation: Violation) -> None:
        params = {k: v for k, v in violation.params.items() if k != "n"}
        super().__init__(
            violation.message,
            plural=violation.plural,
            n=violation.n,
            details={"code": violation.code, "field": str(violation.field) if violation.field else None},
            **params,
        )
        self.violation = violation
        self.code = violation.code


class InvalidRequest(RuleViolated, Invalid):
    """The request (or posting) itself is wrong: 422."""


@dataclasses.dataclass(frozen=True)
class WorkCalendar:
    """The days an employee works: ISO weekdays (Monday=1 … Sunday=7) minus the holidays of their calendar."""

    work_week: str = "12345"
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if any(ch not in "1234567" for ch in self.work_week):
            raise ValueError(f"work_week must be ISO weekdays 1-7, got {self.work_week!r}")
        if not isinstance(self.holidays, frozenset):
            object.__setattr__(self, "holidays", frozenset(self.holidays))

    def is_working_day(self, day: date) -> bool:
        return str(day.isoweekday()) in self.work_week and day not in self.holidays


@dataclasses.dataclass(frozen=True)
class LeaveSpan:
    """The dates of a request, as stored: inclusive dates plus optional half days at either end."""

    start_date: date
    end_date: date
    start_half: HalfDay | None = None
    end_half: HalfDay | None = None

    @property
    def single_day(self) -> bool:
        return self.start_date == self.end_date

    @property
    def calendar_days(self) -> int:
        return (self.end_date - self.start_date).days + 1


@dataclasses.dataclass(frozen=True)
class LeavePolicy:
    """The rules of one leave type (mirrors ``leave_types``)."""

    id: int
    code: str = ""
    name: str = ""
    paid: bool = True
    yearly_allowance: Decimal = ZERO
    accrual: Accrual = Accrual.YEARLY
    accrual_rounding: Decimal = HALF
    carry_over_cap: Decimal | None = None
    carry_over_expiry_months: int | None = None
    min_notice_days: int = 0
    max_consecutive_days: int | None = None
    half_days_allowed: bool = True
    negative_allowed: bool = False
    approval_required: bool = True
    attachment_required: bool = False
    backdate_days: int = 0
    active: bool = True


@dataclasses.dataclass(frozen=True)
class LeaveRecord:
    """A stored leave request (mirrors the columns of ``leave_requests`` the rules need)."""

    id: int | None
    employee_id: int
    leave_type_id: int
    start_date: date
    end_date: date
    start_half: HalfDay | None = None
    end_half: HalfDay | None = None
    working_days: Decimal = ZERO
    status: LeaveStatus = LeaveStatus.PENDING
    approver_id: int | None = None
    attachment_file_id: str | None = None

    @property
    def span(self) -> LeaveSpan:
        return LeaveSpan(self.start_date, self.end_date, self.start_half, self.end_half)


def iter_dates(start: date, end: date) -> Iterator[date]:
    """Every date from ``start`` to ``end`` inclusive (nothing when ``end < start``)."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def span_violations(span: LeaveSpan) -> list[Violation]:
    """What is wrong with the shape of the dates themselves: order, length, half days."""
    if span.end_date < span.start_date:
        return [Violation("end_before_start", N_("The end date is before the start date."), Step.DATES)]
    found: list[Violation] = []
    if span.calendar_days > MAX_SPAN_DAYS:
        found.append(
            Violation.counted(
                "span_too_long",
                NP_("A leave request can cover at most {n} day.", "A leave request can cover at most {n} days."),
                MAX_SPAN_DAYS,
                Step.DATES,
            )
        )
    found.extend(half_day_violations(span))
    return found


def half_day_violations(span: LeaveSpan) -> list[Violation]:
    """Half days that the table's representation does not allow (see the module docstring)."""
    if span.single_day:
        if span.start_half != span.end_half:
            message = N_("For a single day, choose the morning, the afternoon or the whole day.")
            return [Violation("half_day_mismatch", message, Step.HALF_DAY)]
        return []
    found: list[Violation] = []
    if span.start_half == HalfDay.MORNING:
        message = N_("A leave of several days can only start in the afternoon of its first day, or on the whole day.")
        found.append(Violation("start_half_morning", message, Step.HALF_DAY))
    if span.end_half == HalfDay.AFTERNOON:
        message = N_("A leave of several days can only end at lunchtime on its last day, or after the whole day.")
        found.append(Violation("end_half_afternoon", message, Step.HALF_DAY))
    return found


def _require_valid(span: LeaveSpan) -> None:
    # Length is a policy, not a counting problem: only order and half days make a span uncountable.
    problems = [v for v in span_violations(span) if v.code != "span_too_long"]
    if problems:
        raise problems[0].as_error()


def halves_on(span: LeaveSpan, day: date) -> frozenset[HalfDay]:
    """Which halves of ``day`` the request takes (empty outside its dates); assumes a valid span."""
    if day < span.start_date or day > span.end_date:
        return frozenset()
    if span.single_day:
        return frozenset({span.start_half}) if span.start_half else FULL_DAY
    if day == span.start_date and span.start_half:
        return frozenset({span.start_half})
    if day == span.end_date and span.end_half:
        return frozenset({span.end_half})
    return FULL_DAY


def day_portions(span: LeaveSpan, calendar: WorkCalendar) -> dict[date, Decimal]:
    """Working dates of the request with the portion taken (1 or 0.5); days off are left out.

    Raises ``RuleViolated`` when the span itself is invalid (see ``span_violations``).
    """
    _require_valid(span)
    portions: dict[date, Decimal] = {}
    for day in iter_dates(span.start_date, span.end_date):
        if calendar.is_working_day(day):
            portions[day] = ONE if len(halves_on(span, day)) == 2 else HALF
    return portions


def working_days(span: LeaveSpan, calendar: WorkCalendar) -> Decimal:
    """Working days the request costs: days off and holidays count 0, half days 0.5.

    Raises ``RuleViolated`` when the span itself is invalid (see ``span_violations``).
    """
    return sum(day_portions(span, calendar).values(), ZERO)


def spans_overlap(a: LeaveSpan, b: LeaveSpan) -> bool:
    """Whether two requests claim the same half of some calendar date."""
    start, end = max(a.start_date, b.start_date), min(a.end_date, b.end_date)
    if end < start:
        return False
    # Only the two boundary dates can be partial; anything strictly between is a full day of both.
    if (end - start).days >= 2:
        return True
    return any(halves_on(a, day) & halves_on(b, day) for day in iter_dates(start, end))
