"""Employees: list, read, create, change, deactivate/reactivate, and the CSV import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status

from api.access import Caller, EmployeeAccess, EmployeeAccessDep
from api.deps import DatabaseDep, IdPath, IdQuery, PageDep, SearchQuery
from api.errors import render_message, request_translator
from api.schemas.common import ERRORS, Page, json_answer
from api.schemas.employees import EmployeeCreate, EmployeeOut, EmployeeUpdate, ImportProblem, ImportReportOut
from shared.domain.enums import Role
from shared.errors import NP_, Invalid
from shared.services.org import people as org_people
from shared.services.org import people_reads
from shared.services.pagination import Page as ServicePage

router = APIRouter(prefix="/employees", tags=["employees"], responses=ERRORS)


async def _shown(access: EmployeeAccess, employee: EmployeeOut) -> EmployeeOut:
    """E-mail and phone only for readers entitled to them (HR, admin, the person themselves)."""
    return employee if await access.sees_contact(employee.id) else employee.without_contact()


@router.get(
    "",
    summary="List employees",
    description="Manager tokens see their reporting line. `search` looks at e-mails only for readers who may see them.",
    response_model=Page[EmployeeOut],
)
async def list_employees(
    access: EmployeeAccessDep,  # its .database: one dependency fewer to solve on a hot route
    page: PageDep,
    department_id: IdQuery = None,
    role: Role | None = None,
    active: bool | None = None,
    search: SearchQuery = None,
) -> Response:
    line = await access.visible_ids()
    db = access.database
    found: ServicePage[Any]
    filters: dict[str, Any] = {
        "limit": page.limit, "offset": page.offset, "department_id": department_id, "role": role,
        "active": active, "search": search, "search_email": access.sees_all_contacts(),
    }  # fmt: skip
    if line is None:  # everyone's employees: the hot path, on the driver (shared/persistence/reads.py)
        async with db.reads() as reads:
            found = await people_reads.employee_page(reads, **filters)
    else:  # a reporting line: its id list goes through a session
        async with db.read() as session:  # the page and its count: no common snapshot needed
            found = await org_people.list_employees(session, ids=line, **filters)
    answer = Page[EmployeeOut].of(found)
    answer.items = [await _shown(access, item) for item in answer.items]
    return json_answer(answer)  # already validated: skip FastAPI's second pass


@router.get("/{employee_id}", summary="Read an employee", response_model=EmployeeOut)
async def get_employee(employee_id: IdPath, access: EmployeeAccessDep) -> Response:
    async with access.database.reads() as reads:  # the access's database: one dependency fewer to solve
        row = await people_reads.read_employee(reads, employee_id=employee_id)
    return json_answer(await _shown(access, EmployeeOut.model_validate(row)))  # validated once, here


@router.post("", status_code=status.HTTP_201_CREATED, summary="Create an employee")
async def create_employee(body: EmployeeCreate, principal: Caller, db: DatabaseDep) -> EmployeeOut:
    async with db.transaction() as session:
        employee = await org_people.create_employee(session, actor=principal.actor, values=body.model_dump())
        return EmployeeOut.model_validate(employee)


@router.patch("/{employee_id}", summary="Change an employee (only the fields sent)")
async def update_employee(employee_id: IdPath, body: EmployeeUpdate, principal: Caller, db: DatabaseDep) -> EmployeeOut:
    async with db.transaction() as session:
        employee = await org_people.update_employee(
            session, actor=principal.actor, employee_id=employee_id, values=body.changes()
        )
        return EmployeeOut.model_validate(employee)


@router.post("/{employee_id}/deactivate", summary="Deactivate an employee (they can no longer use the bot)")
async def deactivate_employee(employee_id: IdPath, principal: Caller, db: DatabaseDep) -> EmployeeOut:
    async with db.transaction() as session:
        employee = await org_people.set_employee_active(
            session, actor=principal.actor, employee_id=employee_id, active=False
        )
        return EmployeeOut.model_validate(employee)


@router.post("/{employee_id}/reactivate", summary="Reactivate a deactivated employee")
async def reactivate_employee(employee_id: IdPath, principal: Caller, db: DatabaseDep) -> EmployeeOut:
    async with db.transaction() as session:
        employee = await org_people.set_employee_active(
            session, actor=principal.actor, employee_id=employee_id, active=True
        )
        return EmployeeOut.model_validate(employee)


@router.post(
    "/import",
    summary="Import employees from CSV (all rows or none, unless skip_invalid)",
    description=(
        "Columns: code, full_name, email, phone, department, manager_code, role, device_user_id, locale, "
        "timezone, shift. Employees are matched by code (created or updated); unknown departments are created. "
        "When any row is bad and skip_invalid is false nothing is written and the answer is a 422 whose "
        "details list each problem with its line."
    ),
)
async def import_employees(
    request: Request,
    principal: Caller,
    db: DatabaseDep,
    file: Annotated[UploadFile, File(description="UTF-8 CSV with a header row")],
    skip_invalid: Annotated[bool, Query(description="Write the valid rows and skip the bad ones")] = False,
) -> ImportReportOut:
    data = await file.read(org_people.MAX_IMPORT_BYTES + 1)
    async with db.transaction() as session:
        report = await org_people.import_employees_csv(
            session, actor=principal.actor, data=data, skip_invalid=skip_invalid
        )
    problems = [{"line": p.line, "message": p.message, "params": p.params} for p in report.problems]
    if not report.written:
        raise Invalid(
            NP_(
                "Nothing was imported: {n} line has a problem. Fix it, or send skip_invalid=true for the rest.",
                "Nothing was imported: {n} lines have problems. Fix them, or send skip_invalid=true for the rest.",
            ),
            n=len({p.line for p in report.problems}),
            details={"problems": problems},
        )
    t = request_translator(request)
    return ImportReportOut(
        written=report.written,
        total_rows=report.total_rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        skipped_lines=report.skipped_lines,
        departments_created=report.departments_created,
        problems=[ImportProblem(line=p.line, message=render_message(t, p.message, p.params)) for p in report.problems],
    )
