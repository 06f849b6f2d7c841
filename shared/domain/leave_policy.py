"""Policy checks on a leave request; each returns a ``Violation`` (or ``None``) with its own reason.

``check_request`` runs them all and returns every violation so the bot can explain each one. The
attachment check is separate (``has_attachment=None`` skips it) because a document may be added later
in the flow: run it at confirm time, not when the dates are chosen.

Rules decided here:
- Overlap is about calendar dates, not working days: two requests of the same employee may not claim
  the same half of any date (a morning and an afternoon of one date are fine; a full day overlaps both).
- Notice counts calendar days from ``today`` to the start, and only applies to a start today or later;
  a start in the past is the backdating rule's business (exactly ``backdate_days`` back is allowed).
- The absent share is checked per half day: on every working half day of the request, the people of
  the department on pending or approved leave in that half, plus this employee, divided by the head
  count, is compared with ``max_absent_share`` after rounding the share to 3 decimals (the column's
  precision), so 0.333 allows one person in three.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from shared.domain.enums import HalfDay, LeaveStatus
from shared.domain.leave import (
    ACTIVE_STATUSES,
    ZERO,
    LeavePolicy,
    LeaveRecord,
    LeaveSpan,
    RuleViolated,
    Step,
    Violation,
    WorkCalendar,
    day_portions,
    halves_on,
    iter_dates,
    span_violations,
    spans_overlap,
)
from shared.domain.leave_year import YearBalance, check_years_ahead, days_by_year
from shared.errors import N_, NP_, Conflict

SHARE_PRECISION = Decimal("0.001")
# Rules broken by what already exists (the employee's other leave, the balance, a blackout, the team's
# absences) rather than by the request itself: a conflict (409), not invalid input (422).
CONFLICT_CODES = frozenset({"overlap", "insufficient_balance", "blackout", "department_capacity"})


class RuleConflict(RuleViolated, Conflict):
    """The request clashes with existing leave, the balance, a blackout or the team's absences: 409."""

    status = Conflict.status


def violation_error(violation: Violation) -> RuleViolated:
    """The exception for a broken request rule: ``RuleConflict`` (409) for a clash, else ``InvalidRequest`` (422)."""
    return violation.as_error(RuleConflict if violation.code in CONFLICT_CODES else None)


@dataclass(frozen=True)
class Blackout:
    """Dates a department, or everyone when ``department_id`` is None, may not take leave."""

    id: int
    department_id: int | None
    start_date: date
    end_date: date
    reason: str = ""


@dataclass(frozen=True)
class DepartmentLoad:
    """What the absent-share rule needs about the employee's department (head count includes them)."""

    id: int
    max_absent_share: Decimal | None
    headcount: int


def check_leaving_date(span: LeaveSpan, leaving_date: date | None) -> Violation | None:
    """No leave after the last day of employment."""
    if leaving_date is None or span.end_date <= leaving_date:
        return None
    message = N_("Your last working day is {date}: leave cannot go beyond it.")
    return Violation("after_leaving_date", message, Step.DATES, {"date": leaving_date})


def check_type_active(policy: LeavePolicy) -> Violation | None:
    if policy.active:
        return None
    return Violation("type_inactive", N_("This leave type is no longer available."), Step.TYPE, {"type": policy.name})


def check_half_days_allowed(span: LeaveSpan, policy: LeavePolicy) -> Violation | None:
    if policy.half_days_allowed or (span.start_half is None and span.end_half is None):
        return None
    message = N_("Half days are not allowed for {type}.")
    return Violation("half_day_not_allowed", message, Step.HALF_DAY, {"type": policy.name})


def check_not_all_days_off(span: LeaveSpan, calendar: WorkCalendar) -> Violation | None:
    if day_portions(span, calendar):
        return None
    message = N_("These dates are all days off: there is nothing to request.")
    return Violation("all_days_off", message, Step.DATES)


def check_overlap(span: LeaveSpan, existing: Iterable[LeaveRecord], request_id: int | None = None) -> Violation | None:
    """The employee's own pending or approved leave that claims the same half of a date (earliest first)."""
    clashes = [
        other
        for other in existing
        if other.status in ACTIVE_STATUSES
        and (request_id is None or other.id != request_id)
        and spans_overlap(span, other.span)
    ]
    if not clashes:
        return None
    first = min(clashes, key=lambda r: (r.start_date, r.id or 0))
    params = {"start": first.start_date, "end": first.end_date, "request_id": first.id}
    return Violation("overlap", N_("You already have leave from {start} to {end}."), Step.DATES, params)


def check_notice(span: LeaveSpan, policy: LeavePolicy, today: date) -> Violation | None:
    """At least ``min_notice_days`` calendar days between today and the start (a start in the past is skipped)."""
    notice = (span.start_date - today).days
    if notice < 0 or notice >= policy.min_notice_days:
        return None
    forms = NP_(
        "Please request this leave at least {n} day in advance.",
        "Please request this leave at least {n} days in advance.",
    )
    return Violation.counted(
        "notice_too_short",
        forms,
        policy.min_notice_days,
        Step.DATES,
        earliest=today + timedelta(days=policy.min_notice_days),
    )


def check_backdate(span: LeaveSpan, policy: LeavePolicy, today: date) -> Violation | None:
    """A start in the past only for types that allow it, and at most ``backdate_days`` back."""
    back = (today - span.start_date).days
    if back <= 0 or back <= policy.backdate_days:
        return None
    if policy.backdate_days == 0:
        return Violation("start_in_past", N_("The leave cannot start in the past."), Step.DATES)
    forms = NP_(
        "This leave can start at most {n} day in the past.", "This leave can start at most {n} days in the past."
    )
    return Violation.counted("backdate_too_far", forms, policy.backdate_days, Step.DATES)


def check_max_consecutive(span: LeaveSpan, policy: LeavePolicy, calendar: WorkCalendar) -> Violation | None:
    if policy.max_consecutive_days is None:
        return None
    requested = sum(day_portions(span, calendar).values(), ZERO)
    if requested <= policy.max_consecutive_days:
        return None
    forms = NP_(
        "This leave type allows at most {n} working day in a row.",
        "This leave type allows at most {n} working days in a row.",
    )
    return Violation.counted(
        "too_many_consecutive_days", forms, policy.max_consecutive_days, Step.DATES, requested=requested
    )


def check_attachment(policy: LeavePolicy, has_attachment: bool) -> Violation | None:
    """Run when the request is confirmed: the flow may ask for the document after the dates."""
    if not policy.attachment_required or has_attachment:
        return None
    message = N_("Please attach a document for {type}, for example a medical certificate.")
    return Violation("attachment_required", message, Step.ATTACHMENT, {"type": policy.name})


def check_balance(
    policy: LeavePolicy, *, requested: Decimal, balance: Decimal, reserved: Decimal, year: int | None = None
) -> Violation | None:
    """Enough balance once pending requests are set aside, unless the type allows going negative.

    ``year`` names the leave year in the message when it is not the current one.
    """
    available = balance - reserved
    if policy.negative_allowed or requested <= available:
        return None
    params: dict[str, object] = {
        "requested": requested,
        "available": available,
        "balance": balance,
        "reserved": reserved,
    }
    if year is None:
        message = N_("Not enough days left: {requested} requested, {available} available.")
    else:
        message = N_("Not enough days left for {year}: {requested} requested, {available} available.")
        params["year"] = str(year)
    return Violation("insufficient_balance", message, Step.DATES, params)


def check_year_balances(
    policy: LeavePolicy, parts: dict[int, Decimal], balances: Iterable[YearBalance], today: date
) -> Violation | None:
    """Each year's part of the request against that year's balance (see ``leave_year``)."""
    by_year = {b.year: b for b in balances}
    for year, requested in sorted(parts.items()):
        held = by_year.get(max(year, today.year), YearBalance(year, ZERO))
        shortfall = check_balance(
            policy,
            requested=requested,
            balance=held.balance,
            reserved=held.reserved,
            year=None if year <= today.year else year,
        )
        if shortfall is not None:
            return shortfall
    return None


def check_blackouts(span: LeaveSpan, department_id: int | None, blackouts: Iterable[Blackout]) -> Violation | None:
    """A company-wide blackout, or one of the employee's department, on any date of the request."""
    hits = [
        b
        for b in blackouts
        if (b.department_id is None or b.department_id == department_id)
        and b.start_date <= span.end_date
        and span.start_date <= b.end_date
    ]
    if not hits:
        return None
    first = min(hits, key=lambda b: (b.start_date, b.id))
    params = {"start": first.start_date, "end": first.end_date, "reason": first.reason}
    if first.reason:
        message = N_("Leave is not possible from {start} to {end}: {reason}.")
    else:
        message = N_("Leave is not possible from {start} to {end}.")
    return Violation("blackout", message, Step.DATES, params)


def check_absent_share(
    span: LeaveSpan,
    calendar: WorkCalendar,
    department: DepartmentLoad | None,
    team_leave: Iterable[LeaveRecord],
    *,
    employee_id: int,
) -> Violation | None:
    """On no working half day of the request may the absent share of the department exceed its maximum."""
    if department is None or department.max_absent_share is None or department.headcount <= 0:
        return None
    portions = day_portions(span, calendar)
    if not portions:
        return None
    first, last = min(portions), max(portions)
    away: dict[tuple[date, HalfDay], set[int]] = defaultdict(set)
    for other in team_leave:
        if other.employee_id == employee_id or other.status not in ACTIVE_STATUSES:
            continue
        other_span = other.span
        for day in iter_dates(max(first, other.start_date), min(last, other.end_date)):
            for half in halves_on(other_span, day):
                away[day, half].add(other.employee_id)
    for day in sorted(portions):
        for half in sorted(halves_on(span, day)):
            absent = len(away[day, half]) + 1
            share = (Decimal(absent) / department.headcount).quantize(SHARE_PRECISION, ROUND_HALF_UP)
            if share > department.max_absent_share:
                params = {"date": day, "absent": absent, "headcount": department.headcount}
                message = N_("Too many people of your department would be away on {date}.")
                return Violation("department_capacity", message, Step.DATES, params)
    return None


def reserved_days(requests: Iterable[LeaveRecord], leave_type_id: int, request_id: int | None = None) -> Decimal:
    """Working days held by pending requests of one type (the request being checked left out)."""
    return sum(
        (
            r.working_days
            for r in requests
            if r.status == LeaveStatus.PENDING
            and r.leave_type_id == leave_type_id
            and (request_id is None or r.id != request_id)
        ),
        ZERO,
    )


def check_request(
    span: LeaveSpan,
    *,
    policy: LeavePolicy,
    calendar: WorkCalendar,
    today: date,
    employee_id: int,
    department_id: int | None = None,
    department: DepartmentLoad | None = None,
    existing: Iterable[LeaveRecord] = (),
    team_leave: Iterable[LeaveRecord] = (),
    blackouts: Iterable[Blackout] = (),
    balances: Iterable[YearBalance] | None = None,
    has_attachment: bool | None = None,
    request_id: int | None = None,
) -> list[Violation]:
    """Every violation of a request, in the order of the flow's steps.

    ``existing`` is the employee's own requests (all types: overlaps); ``team_leave`` the department's
    other requests; ``balances`` the leave years' balances with their pending reservations (one per year
    the request touches; a past year is checked against this year's), ``None`` skips the balance check;
    ``has_attachment=None`` skips the attachment check (run it at confirm time); ``request_id`` leaves a
    stored request out of its own overlap.
    """
    existing = tuple(existing)
    found: list[Violation] = []

    def add(violation: Violation | None) -> None:
        if violation is not None:
            found.append(violation)

    add(check_type_active(policy))
    shape = span_violations(span)
    found.extend(shape)
    if any(v.code in {"end_before_start", "span_too_long"} for v in shape):
        add(None if has_attachment is None else check_attachment(policy, has_attachment))
        return found
    add(check_half_days_allowed(span, policy))
    add(check_backdate(span, policy, today))
    add(check_years_ahead(span, today))
    add(check_notice(span, policy, today))
    add(check_blackouts(span, department_id if department is None else department.id, blackouts))
    if not shape:  # the rest needs countable dates
        requested = sum(day_portions(span, calendar).values(), ZERO)
        add(check_not_all_days_off(span, calendar))
        add(check_overlap(span, existing, request_id))
        if requested > 0:
            add(check_max_consecutive(span, policy, calendar))
            if balances is not None:
                add(check_year_balances(policy, days_by_year(span, calendar), balances, today))
            add(check_absent_share(span, calendar, department, team_leave, employee_id=employee_id))
    if has_attachment is not None:
        add(check_attachment(policy, has_attachment))
    return found


def is_unlimited(*, yearly_allowance: Decimal, negative_allowed: bool) -> bool:
    """A type with no allowance that may go below zero counts no balance (unpaid leave, sick leave): its
    balance is no limit, and "0 days left" or "balance after −2" would say something false."""
    return negative_allowed and yearly_allowance == 0
