"""Idempotent creation: a retried ``POST /leaves`` (``Idempotency-Key``) or a redelivered bot Confirm
returns the request the first call made instead of making another.

The key is stored on the request (unique) prefixed with the caller's label, so two callers' keys never
meet; the check runs after the employee's row lock, so identical concurrent calls see each other.
"""

from __future__ import annotations

from datetime import date

from shared.domain.enums import HalfDay
from shared.errors import N_, Invalid
from shared.model import LeaveRequest
from shared.services.actor import Actor


def scoped_key(actor: Actor, key: str | None) -> str | None:
    """An idempotency key as stored: the caller's own, so two callers' keys never meet."""
    if key is None or not key.strip():
        return None
    key = key.strip()
    if len(key) > 120 or not key.isprintable():
        raise Invalid(
            N_("An idempotency key has at most 120 printable characters."), details={"field": "Idempotency-Key"}
        )
    return f"{actor.label}:{key}"


def same_request(
    earlier: LeaveRequest,
    employee_id: int,
    leave_type_id: int,
    start: date,
    end: date,
    start_half: HalfDay | None,
    end_half: HalfDay | None,
) -> LeaveRequest:
    """The request an idempotency key made before, when the repeat asks for the same; 422 otherwise."""
    asked = (employee_id, leave_type_id, start, end, start_half, end_half)
    made = (earlier.employee_id, earlier.leave_type_id, earlier.start_date, earlier.end_date, earlier.start_half,
            earlier.end_half)  # fmt: skip
    if asked != made:
        raise Invalid(
            N_("This idempotency key was already used for another request; use a new key for a new request."),
            details={"field": "Idempotency-Key", "request_id": earlier.id},
        )
    return earlier
