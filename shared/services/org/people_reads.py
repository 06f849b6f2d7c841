"""Reading employees for display: one by id and pages of the list, as mappings of their columns.

The list's filters make a handful of statement shapes; each shape's select is built once
(:func:`employee_select`) with its values as bound parameters, so the API's hot reads can run it through
``Database.reads()`` (compiled once, on the driver; ``shared.persistence.reads``) and the session-based
:func:`shared.services.org.people.list_employees` applies the very same filters.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, or_, select

from shared.domain.enums import Role
from shared.errors import N_, NotFound
from shared.model import Employee
from shared.persistence.reads import Reads
from shared.services.pagination import MAX_LIMIT, Page

EMPLOYEE_MISSING = N_("Employee {id} does not exist.")
EMPLOYEE_TABLE = Employee.__table__
# Built once: constructing a select of every column costs more than running it.
_READ_EMPLOYEE = select(*EMPLOYEE_TABLE.c).where(EMPLOYEE_TABLE.c.id == bindparam("employee_id"))


def like_pattern(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@functools.cache
def employee_select(
    *, department: bool, role: bool, active: bool | None, search: bool, search_email: bool
) -> Select[Any]:
    """Every column of the employees a filter shape keeps (unordered); its values are the parameters
    ``department_id``, ``role`` and ``pattern`` (see :func:`employee_filter`)."""
    statement = select(*EMPLOYEE_TABLE.c)
    if department:
        statement = statement.where(Employee.department_id == bindparam("department_id"))
    if role:
        statement = statement.where(Employee.role == bindparam("role"))
    if active is not None:
        statement = statement.where(Employee.active.is_(active))
    if search:
        columns = [Employee.code, Employee.full_name, *([Employee.email] if search_email else [])]
        pattern = bindparam("pattern", type_=Employee.code.type)
        statement = statement.where(or_(*(func.lower(c).like(pattern, escape="\\") for c in columns)))
    return statement


def employee_filter(
    *,
    department_id: int | None = None,
    role: Role | None = None,
    active: bool | None = None,
    search: str | None = None,
    search_email: bool = True,
) -> tuple[Select[Any], dict[str, Any]]:
    """The select of :func:`employee_select` for these filters and the values of its parameters.

    ``search`` matches code, name or (with ``search_email``, for readers entitled to contact data) e-mail,
    as a case-insensitive substring."""
    params: dict[str, Any] = {}
    if department_id is not None:
        params["department_id"] = department_id
    if role is not None:
        params["role"] = Role(role)
    searching = bool(search and search.strip())
    if searching:
        params["pattern"] = like_pattern(str(search).strip().lower())
    statement = employee_select(
        department=department_id is not None,
        role=role is not None,
        active=active,
        search=searching,
        search_email=search_email if searching else False,
    )
    return statement, params


@functools.cache
def _page_statements(base: Select[Any]) -> tuple[Select[Any], Select[Any]]:
    """The count and the page of a filter shape, built once per shape."""
    count = select(func.count()).select_from(base.subquery())
    page = (
        base.order_by(Employee.id).limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer))
    )
    return count, page


async def read_employee(reads: Reads, *, employee_id: int) -> dict[str, Any]:
    """An employee's columns for display."""
    found = await reads.first(_READ_EMPLOYEE, {"employee_id": employee_id})
    if found is None:
        raise NotFound(EMPLOYEE_MISSING, id=employee_id)
    return found


async def employee_page(
    reads: Reads,
    *,
    limit: int,
    offset: int,
    department_id: int | None = None,
    role: Role | None = None,
    active: bool | None = None,
    search: str | None = None,
    search_email: bool = True,
) -> Page[dict[str, Any]]:
    """A page of employees by id and how many match (everyone's: a reporting line goes through
    :func:`shared.services.org.people.list_employees`, whose id list cannot be compiled ahead)."""
    base, params = employee_filter(
        department_id=department_id, role=role, active=active, search=search, search_email=search_email
    )
    count, page = _page_statements(base)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    total = await reads.scalar(count, params)
    items = await reads.all(page, {**params, "limit": limit, "offset": offset})
    return Page(items=items, total=int(total or 0), limit=limit, offset=offset)
