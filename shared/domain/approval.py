"""Approval chains: a leave type's ordered levels, which of them apply to a request, and who decides each.

A chain is a list of ``ChainLevel`` in order. Each level names its approver by kind: the requester's
manager, the department head, HR, or a named person. A level with ``min_days`` applies only to requests
longer than that many working days (``days > min_days``), so "the director above 5 days" is
``ChainLevel(PERSON, person_id=7, min_days=5)``.

Resolving a level picks one person: the manager (walking up the manager chain when the manager is away
or unreachable), the head of the requester's department, the lowest-id available HR person, or the named
person. A level whose approver would be the requester, or nobody available, is skipped; so is a level
whose approver already approved an earlier level (nobody approves twice). When no level of a chain is
left the request falls back to ordinary routing (``shared.domain.routing``).

Delegation: while a delegation holds on ``day`` its delegate decides instead of the delegator
(one hop: a delegate's own delegation is not followed, so two people cannot delegate in a circle).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from shared.domain.routing import APPROVING_ROLES, Org, OrgEmployee, department_head_id, is_available, manager_chain


class LevelKind(StrEnum):
    MANAGER = "manager"
    DEPARTMENT_HEAD = "department_head"
    HR = "hr"
    PERSON = "person"


@dataclass(frozen=True)
class ChainLevel:
    """One level of a chain: who approves, and above how many working days it applies (None: always)."""

    kind: LevelKind
    person_id: int | None = None
    min_days: Decimal | None = None

    def __post_init__(self) -> None:
        if (self.kind is LevelKind.PERSON) != (self.person_id is not None):
            raise ValueError("a person level names its person, other levels name nobody")
        if self.min_days is not None and self.min_days < 0:
            raise ValueError("min_days is never negative")

    def applies_to(self, days: Decimal) -> bool:
        return self.min_days is None or days > self.min_days


@dataclass(frozen=True)
class Delegation:
    """``delegator``'s approvals go to ``delegate`` from ``start`` to ``end`` (both included)."""

    delegator_id: int
    delegate_id: int
    start: date
    end: date

    def holds_on(self, day: date) -> bool:
        return self.start <= day <= self.end


def applicable_levels(levels: Sequence[ChainLevel], days: Decimal) -> list[int]:
    """Indexes of the levels that apply to a request of ``days`` working days, in chain order."""
    return [i for i, level in enumerate(levels) if level.applies_to(days)]


def delegate_of(approver_id: int, delegations: Collection[Delegation], day: date) -> int | None:
    """Who decides for ``approver_id`` on ``day`` (lowest delegate id when several hold), or None."""
    found = sorted(d.delegate_id for d in delegations if d.delegator_id == approver_id and d.holds_on(day))
    return found[0] if found else None


def level_approver(
    level: ChainLevel,
    requester: OrgEmployee,
    org: Org,
    on_leave_ids: Collection[int],
    day: date,
    approved_by: Collection[int] = (),
) -> int | None:
    """The available person who decides ``level`` of ``requester``'s request on ``day``; None if nobody.
    An HR level picks an HR person who has not approved an earlier level (another HR person decides)."""
    if level.kind is LevelKind.MANAGER:
        return next(
            (m for m in manager_chain(requester, org) if is_available(m, requester, org, on_leave_ids, day)), None
        )
    if level.kind is LevelKind.DEPARTMENT_HEAD:
        head = department_head_id(requester, org)
        return head if is_available(head, requester, org, on_leave_ids, day) else None
    if level.kind is LevelKind.HR:
        return next(
            (
                i
                for i in sorted(org.employees)
                if org.employees[i].role in APPROVING_ROLES
                and i not in approved_by
                and is_available(i, requester, org, on_leave_ids, day)
            ),
            None,
        )
    return level.person_id if is_available(level.person_id, requester, org, on_leave_ids, day) else None


@dataclass(frozen=True)
class Stage:
    """The level a request waits at (index into the chain) and who decides it (after delegation)."""

    level: int
    approver_id: int
    delegated_from: int | None = None


def next_stage(
    levels: Sequence[ChainLevel],
    *,
    after: int | None,
    days: Decimal,
    requester: OrgEmployee,
    org: Org,
    on_leave_ids: Collection[int],
    delegations: Collection[Delegation] = (),
    approved_by: Collection[int] = (),
    day: date,
) -> Stage | None:
    """The first applicable level after ``after`` (None: from the start) that someone can decide; None when
    the chain is done. Levels whose approver is the requester, nobody, or someone in ``approved_by`` are skipped."""
    for index in applicable_levels(levels, days):
        if after is not None and index <= after:
            continue
        approver = level_approver(levels[index], requester, org, on_leave_ids, day, approved_by)
        if approver is None or approver in approved_by:
            continue
        delegate = delegate_of(approver, delegations, day)
        if delegate is not None and delegate != requester.id and delegate not in approved_by:
            return Stage(index, delegate, delegated_from=approver)
        return Stage(index, approver)
    return None


def remaining_levels(levels: Sequence[ChainLevel], *, after: int, days: Decimal) -> int:
    """How many applicable levels follow level ``after`` (for "level 1 of 2")."""
    return sum(1 for i in applicable_levels(levels, days) if i > after)


def working_days_waited(since: date, today: date, is_working_day: Callable[[date], bool]) -> int:
    """Working days after ``since`` up to and including ``today`` (waiting since Friday: Monday is day 1)."""
    waited, day = 0, since
    while day < today:
        day = day.fromordinal(day.toordinal() + 1)
        waited += is_working_day(day)
    return waited


class Overdue(StrEnum):
    ESCALATE = "escalate"
    EXPIRE = "expire"


def overdue_action(waited: int, limit: int | None, *, escalated: bool) -> Overdue | None:
    """A request waiting ``waited`` working days at its level: escalate it once, then (another ``limit``
    days later) let it expire; None while it is within the limit (or the type sets none)."""
    if limit is None or limit <= 0 or waited < limit:
        return None
    return Overdue.EXPIRE if escalated else Overdue.ESCALATE
