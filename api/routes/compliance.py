"""Working-time compliance: the violations found (HR: everyone's, managers: their reporting line), HR's
acknowledgement, and the rule layers (company-wide, per department, per shift)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.access import Caller, EmployeeAccessDep
from api.cache import DIGEST
from api.deps import DatabaseDep, IdPath, IdQuery, NowDep, PageDep, ReportCacheDep
from api.errors import request_translator
from api.schemas.common import ERRORS, Day, Page
from api.schemas.compliance import AcknowledgeIn, RuleIn, RuleOut, ViolationOut
from shared.domain.compliance import RuleCode
from shared.i18n import Translator
from shared.model import ComplianceViolation
from shared.reports.compliance_render import rule_label
from shared.services.compliance import limits as compliance_limits
from shared.services.compliance import violations as compliance

router = APIRouter(prefix="/compliance", tags=["compliance"], responses=ERRORS)


def violation_out(t: Translator, row: ComplianceViolation) -> ViolationOut:
    return ViolationOut.model_validate({**{c: getattr(row, c) for c in ViolationOut.model_fields if c != "label"},
                                        "label": rule_label(t, row.rule)})  # fmt: skip


@router.get(
    "/violations",
    summary="List working-time violations, newest period first",
    description=(
        "Filters: employee, department, rule, a date range (violations whose period touches it) and whether HR "
        "acknowledged them. Violations that re-processing showed to be kept after all are left out unless "
        "`include_resolved`. Manager tokens see their reporting line."
    ),
)
async def list_violations(
    request: Request,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    page: PageDep,
    employee_id: IdQuery = None,
    department_id: IdQuery = None,
    rule: RuleCode | None = None,
    date_from: Day | None = None,
    date_to: Day | None = None,
    acknowledged: bool | None = None,
    include_resolved: Annotated[bool, Query(description="Also those no longer true (acknowledged before)")] = False,
) -> Page[ViolationOut]:
    line = await access.visible_ids()
    where = compliance.ViolationFilter(
        employee_id=employee_id,
        department_id=department_id,
        rule=rule,
        date_from=date_from,
        date_to=date_to,
        acknowledged=acknowledged,
        include_resolved=include_resolved,
    )
    async with db.session() as session:
        found = await compliance.list_violations(session, where=where, about=line, limit=page.limit, offset=page.offset)
    t = request_translator(request)
    return Page[ViolationOut].of(found, lambda row: violation_out(t, row))


@router.get("/violations/{violation_id}", summary="Read a working-time violation")
async def get_violation(
    violation_id: IdPath, request: Request, access: EmployeeAccessDep, db: DatabaseDep
) -> ViolationOut:
    async with db.session() as session:
        row = await compliance.get_violation(session, violation_id=violation_id)
    await access.ensure(row.employee_id)
    return violation_out(request_translator(request), row)


@router.post(
    "/violations/{violation_id}/acknowledge",
    summary="Acknowledge a violation with a comment (HR; audited)",
    description="Once per violation (409 after). The acknowledgement stays when the violation is re-evaluated.",
)
async def acknowledge_violation(
    violation_id: IdPath,
    body: AcknowledgeIn,
    request: Request,
    principal: Caller,
    db: DatabaseDep,
    now: NowDep,
    cache: ReportCacheDep,
) -> ViolationOut:
    async with db.transaction() as session:
        row = await compliance.acknowledge_violation(
            session, actor=principal.actor, violation_id=violation_id, comment=body.comment, now=now
        )
        out = violation_out(request_translator(request), row)
    await cache.forget(DIGEST)  # the exceptions report lists open violations only
    return out


@router.get("/rules", summary="List the working-time rule layers (company, departments, shifts)")
async def list_rules(db: DatabaseDep) -> list[RuleOut]:
    async with db.session() as session:
        return [RuleOut.model_validate(row) for row in await compliance_limits.list_rules(session)]


@router.put(
    "/rules",
    summary="Set the working-time limits of one scope (company-wide, a department or a shift)",
    description=(
        "Only the fields sent change; `null` inherits from the layer below again (defaults < company < "
        "department < shift). Defaults follow the EU working-time directive; see docs/compliance.md."
    ),
)
async def set_rule(body: RuleIn, principal: Caller, db: DatabaseDep) -> RuleOut:
    values = body.model_dump(exclude_unset=True, exclude={"department_id", "shift_id"})
    async with db.transaction() as session:
        row = await compliance_limits.set_rule(
            session, actor=principal.actor, department_id=body.department_id, shift_id=body.shift_id, values=values
        )
        return RuleOut.model_validate(row)
