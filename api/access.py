"""Enforcing the access policy (``api.policy``) in one place no route can skip.

``enforce_policy`` is a dependency of the whole app (``FastAPI(dependencies=…)``), so it runs before every
route, whichever router the route lives in: it finds the route's rule, lets a public route through,
authenticates the token (401), refuses a role the rule does not grant (403), and for a rule scoped to the
reporting line refuses an ``employee_id`` in the path outside the token's line (403). A route without a
rule is refused, and ``check_routes`` stops ``create_app`` when one exists.

What routes take from here:

- ``Caller`` — the request's :class:`~api.deps.Principal` (already checked; ``.actor`` for services).
- ``EmployeeAccessDep`` — the same request's :class:`EmployeeAccess`: whose rows a list shows
  (``visible_ids``), "may this token reach employee X" (``ensure``, ``ensure_request``), and which fields
  of an answer it may see (``sees_contact``, ``sees_leave_reasons``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials

from api.console_auth import console_principal, is_console
from api.deps import DatabaseDep, NowDep, Principal, SettingsDep, authenticate, bearer_scheme
from api.middleware import route_template
from api.policy import CONTACT, LEAVE_REASONS, POLICY, Rule, Scope, describe, rule_for
from api.route_index import served_routes
from shared.errors import N_, Forbidden
from shared.persistence import Database
from shared.services.org import people as org_people

logger = logging.getLogger(__name__)

NOT_IN_LINE = N_("Employee {id} is not in your reporting line; only their managers or HR can do this.")
REFUSED = N_("A {role} token may not do this; ask an administrator for a token with more rights.")
NO_RULE = N_("This route has no access rule yet, so nobody may use it; report this to the administrator.")
MAX_ID = 2**31 - 1


@dataclass
class EmployeeAccess:
    """Answers "may this token reach employee X", within the scope its rule grants for this request."""

    principal: Principal
    scope: Scope
    database: Database
    _line: set[int] | None = None

    @property
    def limited(self) -> bool:
        """True when this request reaches only the token's reporting line (manager tokens)."""
        return self.scope is not Scope.ALL

    async def line(self) -> set[int]:
        """The token's employee and everyone reporting to them (empty for a token bound to nobody)."""
        if self._line is None:
            manager_id = self.principal.employee_id
            if manager_id is None:
                self._line = set()
            elif self.scope is Scope.OWN:
                self._line = {manager_id}
            else:
                async with self.database.session() as session:
                    self._line = await org_people.reporting_line(session, manager_id=manager_id)
        return self._line

    async def _within(self, scope: Scope | None, employee_id: int) -> bool:
        if scope is Scope.ALL:
            return True
        if scope is Scope.OWN:
            return employee_id == self.principal.employee_id
        if scope is Scope.LINE:
            return employee_id in await self.line()
        return False

    async def can_act_on(self, employee_id: int) -> bool:
        return await self._within(self.scope, employee_id)

    async def ensure(self, employee_id: int) -> None:
        """Raise 403 unless the token reaches ``employee_id``."""
        if not await self.can_act_on(employee_id):
            raise Forbidden(NOT_IN_LINE, id=employee_id)

    async def ensure_request(self, employee_id: int, approver_id: int | None) -> None:
        """A leave request: its employee's reporting line, or a token whose employee is its approver."""
        if self.limited and approver_id is not None and approver_id == self.principal.employee_id:
            return
        await self.ensure(employee_id)

    async def visible_ids(self) -> set[int] | None:
        """Whose rows the token reads: ``None`` for everyone, else its reporting line."""
        return await self.line() if self.limited else None

    def sees_all_contacts(self) -> bool:
        return CONTACT.scope_for(self.principal.role) is Scope.ALL

    async def sees_contact(self, employee_id: int) -> bool:
        """E-mail and phone: HR and admin, and the person themselves."""
        return await self._within(CONTACT.scope_for(self.principal.role), employee_id)

    async def sees_leave_reasons(self, employee_id: int, approver_id: int | None = None) -> bool:
        """Reason, decision comment, attachment: HR and admin, the person's managers and approver."""
        scope = LEAVE_REASONS.scope_for(self.principal.role)
        if scope is Scope.LINE and approver_id is not None and approver_id == self.principal.employee_id:
            return True
        return await self._within(scope, employee_id)


def _path_employee(request: Request) -> int | None:
    raw = request.path_params.get("employee_id")
    text = str(raw) if raw is not None else ""
    return int(text) if text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID else None


async def enforce_policy(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> None:
    """The access check of every route: its rule, the token, the role's grant, the path's employee."""
    template = route_template(request.scope)
    rule = rule_for(request.method, template)
    if rule is None:
        logger.error("refused %s %s: the route has no access rule", request.method, template)
        raise Forbidden(NO_RULE)
    request.state.rule = rule
    if rule.public:
        return
    if is_console(template):  # the HR console: a session cookie, same table
        principal = await console_principal(request, now=now)
    else:
        principal = await authenticate(request, database, settings, now, credentials)
    scope = rule.scope_for(principal.role)
    if scope is None:
        raise Forbidden(REFUSED, role=principal.role.value)
    access = EmployeeAccess(principal, scope, database)
    request.state.access = access
    employee_id = _path_employee(request)
    if employee_id is not None:
        await access.ensure(employee_id)


async def current_principal(request: Request) -> Principal:
    principal = getattr(request.state, "principal", None)
    if principal is None or getattr(request.state, "access", None) is None:
        raise Forbidden(NO_RULE)  # a public route asked for a caller: a programming error, refused
    return principal


async def current_access(request: Request) -> EmployeeAccess:
    access = getattr(request.state, "access", None)
    if access is None:
        raise Forbidden(NO_RULE)
    return access


Caller = Annotated[Principal, Depends(current_principal)]
EmployeeAccessDep = Annotated[EmployeeAccess, Depends(current_access)]


def check_routes(app: FastAPI) -> None:
    """Refuse to build an app with a route that has no rule, a rule for no route, or a route that does not
    run ``enforce_policy``."""
    problems = []
    served = set()
    for route in served_routes(app):
        if route.dependant is None:
            continue  # plain Starlette routes: /openapi.json and the docs' static files
        method, path = route.method, route.path
        served.add((method, path))
        if rule_for(method, path) is None:
            problems.append(f"{method} {path} has no rule in api/policy.py")
        if not any(d.call is enforce_policy for d in route.dependant.dependencies):
            problems.append(f"{method} {path} does not run enforce_policy")
    problems += [f"{method} {path} has a rule but no route" for method, path in sorted(set(POLICY) - served)]
    if problems:
        raise RuntimeError("access policy out of step with the routes:\n" + "\n".join(problems))


def access_extension(rule: Rule) -> dict[str, Any]:
    """An operation's ``x-access``: its resource, action and the scope per role (absent: refused)."""
    if rule.public:
        return {"public": True, "resource": rule.resource, "action": rule.action.value, "grants": {}}
    return {
        "public": False,
        "resource": rule.resource,
        "action": rule.action.value,
        "grants": {role.value: scope.value for role, scope in rule.grants.items()},
    }


def document_access(app: FastAPI) -> None:
    """Put each operation's rule in the OpenAPI document: ``x-access`` and a line in its description;
    public operations carry no security requirement."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                rule = rule_for(method, path)
                if rule is None:
                    continue
                operation["x-access"] = access_extension(rule)
                operation["description"] = (operation.get("description", "") + "\n\n" + describe(rule)).strip()
                if rule.public:
                    operation.pop("security", None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
