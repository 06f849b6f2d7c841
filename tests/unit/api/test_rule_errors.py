"""How broken rules and decisions reach an API client: 409 for clashes, 422 for bad input, facts shown as is."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from api.errors import render_details
from api.routes.leaves import already_decided
from shared.domain.enums import LeaveStatus
from shared.domain.leave import InvalidRequest, LeavePolicy, LeaveSpan, Step, Violation
from shared.domain.leave_policy import RuleConflict, check_balance, check_overlap, violation_error
from shared.errors import Conflict, Invalid


class _Echo:
    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


@pytest.mark.parametrize("code", ["overlap", "insufficient_balance", "blackout", "department_capacity"])
def test_a_clash_with_existing_data_is_a_conflict(code):
    error = violation_error(Violation(code, "clash", Step.DATES))
    assert isinstance(error, RuleConflict) and isinstance(error, Conflict) and error.status == 409
    assert error.code == code


@pytest.mark.parametrize("code", ["start_in_past", "notice", "end_before_start", "attachment_required"])
def test_a_wrong_request_stays_invalid_input(code):
    error = violation_error(Violation(code, "wrong", Step.DATES))
    assert isinstance(error, InvalidRequest) and isinstance(error, Invalid) and error.status == 422


def test_the_rules_own_violations_map_to_409_with_their_reason():
    policy = LeavePolicy(id=1, code="A", name="Annual")
    shortfall = check_balance(policy, requested=Decimal(5), balance=Decimal(3), reserved=Decimal(0))
    assert shortfall is not None
    error = violation_error(shortfall)
    assert error.status == 409 and error.render(_Echo()) == "Not enough days left: 5 requested, 3 available."
    assert check_overlap(LeaveSpan(date(2026, 1, 1), date(2026, 1, 2)), []) is None


def test_a_second_decision_names_who_decided_and_gives_the_outcome_as_facts():
    decided_at = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    outcome = SimpleNamespace(
        request=SimpleNamespace(status=LeaveStatus.REJECTED), decided_by="Max Manager", decided_at=decided_at
    )
    error = already_decided(outcome)  # type: ignore[arg-type]
    assert error.status == 409 and error.code == "already_decided"
    message = error.render(_Echo())
    assert message == "This request has already been rejected by Max Manager."
    assert render_details(error, _Echo(), message) == [
        {"field": "status", "line": None, "message": "rejected"},
        {"field": "decided_by", "line": None, "message": "Max Manager"},
        {"field": "decided_at", "line": None, "message": "2026-11-23T09:30:00+00:00"},
    ]
    cancelled = SimpleNamespace(request=SimpleNamespace(status=LeaveStatus.CANCELLED), decided_by=None, decided_at=None)
    error = already_decided(cancelled)  # type: ignore[arg-type]
    assert error.code == "already_cancelled" and error.render(_Echo()) == "This request has already been cancelled."
