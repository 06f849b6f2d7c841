"""People: the employees this reader reaches, a person's page, and invitations with the deep link's QR code."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from api.access import Caller, EmployeeAccessDep
from api.console.web import reader, render
from api.deps import DatabaseDep, IdPath, NowDep, RedisDep, SettingsDep
from api.policy import INVITATIONS_WRITE
from shared.model import Department, Shift
from shared.services.org import invitations, people

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/people")
async def people_page(
    request: Request,
    caller: Caller,
    access: EmployeeAccessDep,
    db: DatabaseDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    line = await access.visible_ids()
    async with db.session() as session:
        found = await people.list_employees(
            session, limit=500, offset=0, search=q or None, ids=line, search_email=access.sees_all_contacts()
        )
        locale = reader(request).locale
        departments = {d.id: d.name_for(locale) for d in await session.scalars(select(Department))}
    return render(request, "people.html", people=found.items, total=found.total, q=q or "", departments=departments)


async def _person_page(request: Request, caller: Caller, access: EmployeeAccessDep, db: DatabaseDep,
                       employee_id: int, **extra: Any) -> Response:  # fmt: skip
    async with db.session() as session:
        person = await people.get_employee(session, employee_id=employee_id)
        department = await session.get(Department, person.department_id) if person.department_id else None
        shift = await session.get(Shift, person.shift_id) if person.shift_id else None
    return render(
        request, "person.html", person=person, department=department, shift=shift,
        contact=await access.sees_contact(employee_id), may_invite=INVITATIONS_WRITE.scope_for(caller.role) is not None,
        tz=person.timezone or request.app.state.settings.company_timezone,
        **extra,
    )  # fmt: skip


@router.get("/people/{employee_id}")
async def person_page(
    request: Request, employee_id: IdPath, caller: Caller, access: EmployeeAccessDep, db: DatabaseDep
) -> Response:
    """One person (a manager reaches only their reporting line: anyone else is a 403 page)."""
    return await _person_page(request, caller, access, db, employee_id)


@router.post("/people/{employee_id}/invitations")
async def invite(
    request: Request, employee_id: IdPath, caller: Caller, access: EmployeeAccessDep, db: DatabaseDep,
    redis: RedisDep, settings: SettingsDep, now: NowDep, relink: Annotated[bool, Form()] = False,
) -> Response:  # fmt: skip
    """A new invitation (earlier pending ones are revoked): its code, deep link and QR code, shown once."""
    async with db.transaction() as session:
        created = await invitations.create_invitation(
            session, employee_id=employee_id, actor=caller.actor, pepper=settings.secret_key, now=now, relink=relink
        )
    configured = request.app.state.bot_username or settings.bot_username
    username = await invitations.bot_username(redis, prefix=settings.redis_prefix, configured=configured)
    link = invitations.deep_link(username, created.code)
    qr = segno.make(link or created.code, error="m").svg_inline(scale=5, dark="#111", light="#fff") if link else None
    return await _person_page(
        request, caller, access, db, employee_id, code=created.code, link=link, qr=qr,
        expires=created.invitation.expires_at,
    )  # fmt: skip
