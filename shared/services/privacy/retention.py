"""Retention: people who left more than RETENTION_YEARS ago are anonymised (a scheduled job and
``chronos retention run``); erasure on request anonymises one person at once; a legal hold stops both."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import N_, Conflict, Forbidden, Invalid
from shared.model import Employee
from shared.services.actor import Actor
from shared.services.audit import audit
from shared.services.lookups import get_employee
from shared.services.privacy.anonymise import anonymise_employee

MAX_REASON = 500


@dataclass(frozen=True)
class Due:
    employee_id: int
    code: str
    leaving_date: dt.date


@dataclass
class RetentionReport:
    cutoff: dt.date | None
    due: list[Due] = field(default_factory=list)
    held: list[Due] = field(default_factory=list)
    skipped: list[Due] = field(default_factory=list)
    anonymised: int = 0
    dry_run: bool = True

    def as_counts(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff.isoformat() if self.cutoff else None,
            "due": len(self.due),
            "held": len(self.held),
            "skipped": len(self.skipped),
            "anonymised": self.anonymised,
            "dry_run": self.dry_run,
        }


def retention_cutoff(today: dt.date, years: int) -> dt.date | None:
    """People whose leaving date is before this day are due; ``None`` when retention is off (0 years)."""
    if years <= 0:
        return None
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


async def run_retention(
    session: AsyncSession, *, actor: Actor, today: dt.date, now: dt.datetime, years: int, dry_run: bool
) -> RetentionReport:
    """Anonymise everyone who left before the cutoff and is not under a legal hold (``dry_run``: only say who)."""
    cutoff = retention_cutoff(today, years)
    report = RetentionReport(cutoff, dry_run=dry_run)
    if cutoff is None:
        return report
    rows = await session.execute(
        select(Employee.id, Employee.code, Employee.leaving_date, Employee.legal_hold)
        .where(
            Employee.leaving_date.is_not(None),
            Employee.leaving_date < cutoff,
            Employee.anonymised_at.is_(None),
        )
        .order_by(Employee.leaving_date, Employee.id)
    )
    for employee_id, code, leaving_date, held in rows.all():
        if leaving_date is not None:
            (report.held if held else report.due).append(Due(employee_id, code, leaving_date))
    if dry_run:
        return report
    for item in report.due:
        try:  # re-checked under the row lock: a hold set (or an erasure done) since the list was read wins
            await anonymise_employee(session, actor=actor, employee_id=item.employee_id, now=now, why="retention")
        except Conflict:
            report.skipped.append(item)
            continue
        report.anonymised += 1
    return report


async def erase_employee(session: AsyncSession, *, actor: Actor, employee_id: int, now: dt.datetime) -> dict[str, int]:
    """Erasure on request (HR or admin): anonymise the person at once, unless a legal hold applies (409)."""
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can erase a person's data."))
    return await anonymise_employee(session, actor=actor, employee_id=employee_id, now=now, why="request")


async def set_legal_hold(
    session: AsyncSession, *, actor: Actor, employee_id: int, hold: bool, reason: str | None = None
) -> Employee:
    """Put a legal hold on a person (their data may not be anonymised) or lift it; HR or admin, audited."""
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can set or lift a legal hold."))
    text = (reason or "").strip()
    if hold and not text:
        raise Invalid(N_("A legal hold needs a reason (e.g. the case it is for)."), details={"field": "reason"})
    if len(text) > MAX_REASON:
        raise Invalid(N_("The reason is longer than {n} characters."), details={"field": "reason"}, n=MAX_REASON)
    employee = await get_employee(session, employee_id)
    before = employee.legal_hold
    employee.legal_hold = hold
    await session.flush()
    audit(
        session, actor, "legal_hold", "employee", employee.id,
        old={"legal_hold": before}, new={"legal_hold": hold, "hold_reason": text or None},
    )  # fmt: skip
    return employee
