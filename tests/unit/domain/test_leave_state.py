"""The request state machine: every status × action × actor, who may decide, who may cancel, and when."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.domain.enums import LeaveStatus, Role
from shared.domain.leave import LeavePolicy, LeaveRecord, RuleViolated
from shared.domain.leave_state import (
    Action,
    Actor,
    NotAllowed,
    WrongState,
    apply,
    can_act,
    can_cancel,
    can_decide,
    initial_status,
    next_status,
)
from shared.errors import Conflict, Forbidden

P, A, R, C = LeaveStatus.PENDING, LeaveStatus.APPROVED, LeaveStatus.REJECTED, LeaveStatus.CANCELLED
REQUESTER, APPROVER = 1, 2
TODAY = date(2025, 3, 3)

ACTORS = {
    "the requester": Actor(REQUESTER, Role.EMPLOYEE),
    "the approver": Actor(APPROVER, Role.MANAGER),
    "another manager": Actor(3, Role.MANAGER),
    "a colleague": Actor(4, Role.EMPLOYEE),
    "hr": Actor(5, Role.HR),
    "an admin": Actor(6, Role.ADMIN),
}

NOT_APPROVER, NOT_OWNER, DECIDED, CANCELLED = (
    "not_approver",
    "not_allowed_to_cancel",
    "already_decided",
    "already_cancelled",
)
# Per (status, action): the outcome for each actor above, in order; None = allowed.
EXPECTED: dict[tuple[LeaveStatus, Action], list[str | None]] = {
    (P, Action.APPROVE): ["own_request", None, NOT_APPROVER, NOT_APPROVER, None, None],
    (P, Action.REJECT): ["own_request", None, NOT_APPROVER, NOT_APPROVER, None, None],
    (P, Action.CANCEL): [None, NOT_OWNER, NOT_OWNER, NOT_OWNER, None, None],
    (A, Action.APPROVE): [DECIDED] * 6,
    (A, Action.REJECT): [DECIDED] * 6,
    (A, Action.CANCEL): [None, NOT_OWNER, NOT_OWNER, NOT_OWNER, None, None],
    (R, Action.APPROVE): [DECIDED] * 6,
    (R, Action.REJECT): [DECIDED] * 6,
    (R, Action.CANCEL): [DECIDED] * 6,
    (C, Action.APPROVE): [CANCELLED] * 6,
    (C, Action.REJECT): [CANCELLED] * 6,
    (C, Action.CANCEL): [CANCELLED] * 6,
}

CASES = [
    (status, action, name, outcome)
    for (status, action), outcomes in EXPECTED.items()
    for name, outcome in zip(ACTORS, outcomes, strict=True)
]


def case_id(status: LeaveStatus, action: Action, name: str, outcome: str | None) -> str:
    verdict = "may" if outcome is None else "may not"
    reason = "" if outcome is None else f" ({outcome})"
    article = "an" if status == LeaveStatus.APPROVED else "a"
    return f"{name} {verdict} {action} {article} {status} request{reason}"


def record(status: LeaveStatus, end: date = date(2025, 3, 10)) -> LeaveRecord:
    return LeaveRecord(40, REQUESTER, 1, date(2025, 3, 5), end, None, None, Decimal(4), status, APPROVER)


@pytest.mark.parametrize(("status", "action", "name", "outcome"), CASES, ids=[case_id(*case) for case in CASES])
def test_every_transition_for_every_actor(status: LeaveStatus, action: Action, name: str, outcome: str | None) -> None:
    violation = can_act(ACTORS[name], record(status), action, TODAY)
    assert (violation.code if violation else None) == outcome


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        (P, Action.APPROVE, A),
        (P, Action.REJECT, R),
        (P, Action.CANCEL, C),
        (A, Action.CANCEL, C),
    ],
    ids=[
        "approving a pending request approves it",
        "rejecting a pending request rejects it",
        "cancelling a pending request cancels it",
        "cancelling an approved request cancels it",
    ],
)
def test_next_status(status: LeaveStatus, action: Action, expected: LeaveStatus) -> None:
    assert next_status(status, action) == expected


@pytest.mark.parametrize(
    ("status", "action", "code"),
    [
        (A, Action.APPROVE, DECIDED),
        (A, Action.REJECT, DECIDED),
        (R, Action.APPROVE, DECIDED),
        (R, Action.REJECT, DECIDED),
        (R, Action.CANCEL, DECIDED),
        (C, Action.APPROVE, CANCELLED),
        (C, Action.REJECT, CANCELLED),
        (C, Action.CANCEL, CANCELLED),
    ],
    ids=[
        "an approved request cannot be approved twice",
        "an approved request cannot be rejected",
        "a rejected request cannot be approved",
        "a rejected request cannot be rejected twice",
        "a rejected request cannot be cancelled",
        "a cancelled request cannot be approved",
        "a cancelled request cannot be rejected",
        "a cancelled request cannot be cancelled twice",
    ],
)
def test_illegal_transitions_raise_a_conflict(status: LeaveStatus, action: Action, code: str) -> None:
    with pytest.raises(WrongState) as caught:
        next_status(status, action)
    assert caught.value.code == code
    assert isinstance(caught.value, Conflict) and caught.value.status == 409


def test_the_already_decided_message_says_how_it_was_decided() -> None:
    assert can_decide(ACTORS["hr"], record(R)).message == "This request has already been rejected."
    assert can_decide(ACTORS["hr"], record(A)).message == "This request has already been approved."


def test_hr_cannot_decide_on_their_own_request() -> None:
    own = LeaveRecord(40, 5, 1, date(2025, 3, 5), date(2025, 3, 5), status=P, approver_id=6)
    assert can_decide(ACTORS["hr"], own).code == "own_request"
    assert can_decide(ACTORS["an admin"], own) is None


def test_an_approver_with_the_employee_role_may_decide() -> None:
    assert can_decide(Actor(APPROVER, Role.EMPLOYEE), record(P)) is None


@pytest.mark.parametrize(
    ("name", "end", "status", "code"),
    [
        ("the requester", date(2025, 3, 3), A, None),
        ("the requester", date(2025, 3, 2), A, "already_ended"),
        ("hr", date(2025, 3, 2), A, "already_ended"),
        ("the requester", date(2025, 3, 2), P, None),
        ("a colleague", date(2025, 3, 2), A, NOT_OWNER),
    ],
    ids=[
        "an approved leave ending today can still be cancelled",
        "an approved leave that ended yesterday cannot be cancelled",
        "hr cannot cancel an approved leave that has ended either",
        "a pending request in the past can still be withdrawn",
        "a colleague is refused before the dates are looked at",
    ],
)
def test_cancel_only_before_the_leave_ends(name: str, end: date, status: LeaveStatus, code: str | None) -> None:
    request = LeaveRecord(40, REQUESTER, 1, date(2025, 2, 24), end, status=status, approver_id=APPROVER)
    violation = can_cancel(ACTORS[name], request, TODAY)
    assert (violation.code if violation else None) == code


def test_apply_returns_the_request_in_its_new_status() -> None:
    assert apply(ACTORS["the approver"], record(P), Action.APPROVE, TODAY).status == A
    assert apply(ACTORS["the requester"], record(A), Action.CANCEL, TODAY).status == C


def test_apply_refuses_a_stranger_with_forbidden() -> None:
    with pytest.raises(NotAllowed) as caught:
        apply(ACTORS["a colleague"], record(P), Action.APPROVE, TODAY)
    assert isinstance(caught.value, Forbidden) and caught.value.status == 403
    assert isinstance(caught.value, RuleViolated)
    assert caught.value.code == NOT_APPROVER


def test_apply_refuses_a_second_decision_with_conflict() -> None:
    with pytest.raises(WrongState):
        apply(ACTORS["the approver"], record(A), Action.REJECT, TODAY)


@pytest.mark.parametrize(
    ("approval_required", "expected"),
    [(True, P), (False, A)],
    ids=["a type needing approval starts pending", "a type needing no approval is approved at once"],
)
def test_initial_status(approval_required: bool, expected: LeaveStatus) -> None:
    assert initial_status(LeavePolicy(id=1, approval_required=approval_required)) == expected
