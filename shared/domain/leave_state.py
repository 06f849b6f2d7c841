"""The life of a leave request: pending → approved | rejected | cancelled; approved → cancelled.

Who may do what is part of the rule: the request's current approver, or HR/admin, decides (never on
their own request); only the employee who asked, or HR/admin, cancels; an approved leave can be
cancelled until its last day (``end_date >= today``). Telling the user *who* already decided is the
service's job; the domain gives the code (``already_decided``, ``already_cancelled``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shared.domain.enums import LeaveStatus, Role
from shared.domain.leave import LeavePolicy, LeaveRecord, RuleViolated, Violation
from shared.errors import N_, Conflict, Forbidden

HR_ROLES = frozenset({Role.HR, Role.ADMIN})
FORBIDDEN_CODES = frozenset({"own_request", "not_approver", "not_allowed_to_cancel"})


class NotAllowed(RuleViolated, Forbidden):
    """This actor may not do this to this request."""

    status = Forbidden.status


class WrongState(RuleViolated, Conflict):
    """The request is no longer in a state that allows this (already decided or cancelled)."""

    status = Conflict.status


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Actor:
    """Who presses the button: an employee id and their role."""

    id: int
    role: Role = Role.EMPLOYEE

    @property
    def is_hr(self) -> bool:
        return self.role in HR_ROLES


TRANSITIONS: dict[tuple[LeaveStatus, Action], LeaveStatus] = {
    (LeaveStatus.PENDING, Action.APPROVE): LeaveStatus.APPROVED,
    (LeaveStatus.PENDING, Action.REJECT): LeaveStatus.REJECTED,
    (LeaveStatus.PENDING, Action.CANCEL): LeaveStatus.CANCELLED,
    (LeaveStatus.APPROVED, Action.CANCEL): LeaveStatus.CANCELLED,
}

_ALREADY = {
    LeaveStatus.APPROVED: ("already_decided", N_("This request has already been approved.")),
    LeaveStatus.REJECTED: ("already_decided", N_("This request has already been rejected.")),
    LeaveStatus.CANCELLED: ("already_cancelled", N_("This request has already been cancelled.")),
    LeaveStatus.EXPIRED: ("already_decided", N_("This request expired: nobody decided in time.")),
}


def initial_status(leave_type: LeavePolicy) -> LeaveStatus:
    """Types that need no approval are approved as soon as they are requested."""
    return LeaveStatus.PENDING if leave_type.approval_required else LeaveStatus.APPROVED


def transition_violation(current: LeaveStatus, action: Action) -> Violation | None:
    """Why ``action`` is not possible from ``current``; None when it is."""
    if (current, action) in TRANSITIONS:
        return None
    code, message = _ALREADY[current]
    return Violation(code, message, params={"status": current, "action": action})


def next_status(current: LeaveStatus, action: Action) -> LeaveStatus:
    """The status after ``action``; raises ``RuleViolated`` (409) for an illegal transition."""
    violation = transition_violation(current, action)
    if violation is not None:
        raise error_for(violation)
    return TRANSITIONS[current, action]


def can_decide(actor: Actor, request: LeaveRecord) -> Violation | None:
    """Whether ``actor`` may approve or reject ``request`` now."""
    violation = transition_violation(request.status, Action.APPROVE)
    if violation is not None:
        return violation
    if actor.id == request.employee_id:
        return Violation("own_request", N_("You cannot decide on your own request."))
    if actor.id == request.approver_id or actor.is_hr:
        return None
    return Violation("not_approver", N_("Only the approver or HR can decide on this request."))


def can_cancel(actor: Actor, request: LeaveRecord, today: date) -> Violation | None:
    """Whether ``actor`` may cancel ``request`` on ``today``."""
    violation = transition_violation(request.status, Action.CANCEL)
    if violation is not None:
        return violation
    if actor.id != request.employee_id and not actor.is_hr:
        return Violation("not_allowed_to_cancel", N_("Only the person who asked for this leave or HR can cancel it."))
    if request.status == LeaveStatus.APPROVED and request.end_date < today:
        params = {"end": request.end_date}
        return Violation(
            "already_ended", N_("This leave ended on {end} and can no longer be cancelled."), params=params
        )
    return None


def can_act(actor: Actor, request: LeaveRecord, action: Action, today: date) -> Violation | None:
    """``can_decide`` or ``can_cancel`` depending on ``action``."""
    if action == Action.CANCEL:
        return can_cancel(actor, request, today)
    return can_decide(actor, request)


def apply(actor: Actor, request: LeaveRecord, action: Action, today: date) -> LeaveRecord:
    """The request after ``actor`` performs ``action``; raises ``RuleViolated`` (403/409) when not allowed."""
    violation = can_act(actor, request, action, today)
    if violation is not None:
        raise error_for(violation)
    return dataclasses.replace(request, status=TRANSITIONS[request.status, action])


def error_for(violation: Violation) -> RuleViolated:
    """The exception for a state violation: ``NotAllowed`` (403) for who may act, ``WrongState`` (409) otherwise."""
    return violation.as_error(NotAllowed if violation.code in FORBIDDEN_CODES else WrongState)
