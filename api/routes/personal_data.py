"""Personal data (HR and admin): the subject-access archive of one person, erasure on request, legal holds.

Every export and anonymisation is in the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.access import Caller
from api.deps import DatabaseDep, IdPath, NowDep
from api.errors import request_translator
from api.schemas.common import ERRORS
from api.schemas.compliance import ErasedOut, LegalHoldIn, LegalHoldOut
from shared.i18n import Translator, translator
from shared.services.privacy.retention import erase_employee, set_legal_hold
from shared.services.privacy.subject_access import export_person

router = APIRouter(prefix="/employees", tags=["personal data"], responses=ERRORS)


def _translator(request: Request) -> Translator:
    found = request_translator(request)
    return found if isinstance(found, Translator) else translator("en")


@router.get(
    "/{employee_id}/export",
    summary="Everything stored about a person, as one zip (person.json + person.xlsx)",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}, "description": "The archive"}},
)
async def export_employee(
    employee_id: IdPath, request: Request, principal: Caller, db: DatabaseDep, now: NowDep
) -> Response:
    async with db.transaction() as session:
        name, content = await export_person(
            session, actor=principal.actor, employee_id=employee_id, now=now, t=_translator(request)
        )
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.post(
    "/{employee_id}/erase",
    summary="Anonymise a person now (erasure on request; refused with 409 under a legal hold)",
    description="Name, contact, Telegram id and free-text reasons are replaced; the numbers payroll needs stay.",
)
async def erase(employee_id: IdPath, principal: Caller, db: DatabaseDep, now: NowDep) -> ErasedOut:
    async with db.transaction() as session:
        counts = await erase_employee(session, actor=principal.actor, employee_id=employee_id, now=now)
    return ErasedOut(employee_id=employee_id, anonymised=counts)


@router.put("/{employee_id}/legal-hold", summary="Set or lift a person's legal hold (a reason is required to set one)")
async def legal_hold(employee_id: IdPath, body: LegalHoldIn, principal: Caller, db: DatabaseDep) -> LegalHoldOut:
    async with db.transaction() as session:
        employee = await set_legal_hold(
            session, actor=principal.actor, employee_id=employee_id, hold=body.legal_hold, reason=body.reason
        )
        return LegalHoldOut(employee_id=employee.id, legal_hold=employee.legal_hold)
