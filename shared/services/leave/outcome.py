"""What a decision call returns (shared by decide_leave and the chain steps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.model import LeaveRequest


@dataclass(frozen=True)
class DecisionOutcome:
    """The request after the call; ``changed`` is False when it had already been decided (nothing written)."""

    request: LeaveRequest
    changed: bool
    decided_by: str | None
    decided_at: datetime | None
    passed_to: str | None = None  # approved at one level and passed on to the next level's approver
