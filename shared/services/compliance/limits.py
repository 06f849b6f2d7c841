"""Where each person's working-time limits come from: the defaults, the company row, their department's,
their shift's (``compliance_rules``), and changing one layer (HR)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.compliance import LIMIT_FIELDS, Limits, RuleCode, resolve_limits
from shared.errors import N_, Forbidden, Invalid
from shared.model import ComplianceRule, Department, Shift
from shared.services.actor import Actor
from shared.services.audit import audit, snapshot

COMPANY = "company"
MINUTE_FIELDS = frozenset(LIMIT_FIELDS) - {"night_start", "night_end", "max_consecutive_days", "reference_weeks"}
LIMIT_RANGES: dict[str, tuple[int, int]] = {
    **dict.fromkeys(MINUTE_FIELDS, (1, 7 * 24 * 60)),
    "max_weekly_average": (1, 7 * 24 * 60),
    "max_consecutive_days": (1, 366),
    "reference_weeks": (1, 52),
}


def scope_key(department_id: int | None, shift_id: int | None) -> str:
    if department_id is not None and shift_id is not None:
        raise Invalid(N_("A rule applies to the company, one department or one shift, not both."))
    if department_id is not None:
        return f"department:{department_id}"
    if shift_id is not None:
        return f"shift:{shift_id}"
    return COMPANY


def layer(row: ComplianceRule | None) -> dict[str, Any] | None:
    """A stored row as a layer for :func:`resolve_limits`."""
    if row is None:
        return None
    found: dict[str, Any] = {name: getattr(row, name) for name in LIMIT_FIELDS}
    if row.disabled is not None:
        found["disabled"] = [c for c in row.disabled.split(",") if c]
    return found


class LimitBook:
    """Every rule row, read once; ``for_person`` resolves one person's limits."""

    def __init__(self, rows: Iterable[ComplianceRule]) -> None:
        self.rows = {row.scope_key: row for row in rows}

    def for_person(self, department_id: int | None, shift_id: int | None) -> Limits:
        return resolve_limits(
            Limits(),
            layer(self.rows.get(COMPANY)),
            layer(self.rows.get(f"department:{department_id}")) if department_id is not None else None,
            layer(self.rows.get(f"shift:{shift_id}")) if shift_id is not None else None,
        )


async def limit_book(session: AsyncSession) -> LimitBook:
    return LimitBook(await session.scalars(select(ComplianceRule)))


async def list_rules(session: AsyncSession) -> list[ComplianceRule]:
    return list(await session.scalars(select(ComplianceRule).order_by(ComplianceRule.scope_key)))


def _check(values: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("night_start", "night_end"):
            if value is not None and not isinstance(value, dt.time):
                raise Invalid(N_("{field} must be a time of day such as 22:00."), details={"field": name}, field=name)
            clean[name] = value
        elif name == "disabled":
            codes = [str(c) for c in (value or [])]
            unknown = [c for c in codes if c not in {r.value for r in RuleCode}]
            if unknown:
                raise Invalid(
                    N_("Unknown rule {value}; use one of {allowed}."),
                    details={"field": name},
                    value=unknown[0][:40],
                    allowed=", ".join(RuleCode),
                )
            clean[name] = None if value is None else ",".join(sorted(set(codes)))
        elif name in LIMIT_RANGES:
            low, high = LIMIT_RANGES[name]
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
            ):
                raise Invalid(
                    N_("{field} must be a whole number from {low} to {high}."),
                    details={"field": name},
                    field=name,
                    low=low,
                    high=high,
                )
            clean[name] = value
        else:
            raise Invalid(N_("Unknown field {field}."), details={"field": name}, field=str(name)[:40])
    return clean


async def set_rule(
    session: AsyncSession,
    *,
    actor: Actor,
    department_id: int | None,
    shift_id: int | None,
    values: Mapping[str, Any],
) -> ComplianceRule:
    """Create or change the layer of one scope with the fields given (``None`` = inherit again)."""
    if not actor.is_hr:
        raise Forbidden(N_("Only HR can change working-time rules."))
    key = scope_key(department_id, shift_id)
    if department_id is not None and await session.get(Department, department_id) is None:
        raise Invalid(N_("Department {id} does not exist."), details={"field": "department_id"}, id=department_id)
    if shift_id is not None and await session.get(Shift, shift_id) is None:
        raise Invalid(N_("Shift {id} does not exist."), details={"field": "shift_id"}, id=shift_id)
    clean = _check(values)
    row = await session.scalar(select(ComplianceRule).where(ComplianceRule.scope_key == key))
    before = snapshot(row) if row is not None else None
    if row is None:
        row = ComplianceRule(scope_key=key, department_id=department_id, shift_id=shift_id)
        session.add(row)
    for name, value in clean.items():
        setattr(row, name, value)
    await session.flush()
    audit(
        session,
        actor,
        "create" if before is None else "update",
        "compliance_rule",
        row.id,
        old=before,
        new=snapshot(row),
    )
    return row
