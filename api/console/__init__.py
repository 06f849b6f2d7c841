"""The HR console: server-rendered pages under ``/console`` (docs/console.md).

Each page module is a thin adapter over the same services as the API and the bot, and every route is in
the one access policy (``api/policy.py``): ``enforce_policy`` authenticates the session cookie for
``/console`` routes and applies the same rules. Forms are checked for CSRF (``web.check_csrf``) by every
console router. Static files (htmx, the stylesheet, the console's script) are served from
``/console/static``; nothing comes from a CDN.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from api.console import approvals, attendance, calendar, devices, people, reports, signin, today
from api.console.web import STATIC_DIR, check_csrf, error_page
from api.console_auth import CONSOLE_PREFIX

CONSOLE_ROUTERS: tuple[APIRouter, ...] = (
    signin.router,
    approvals.router,
    today.router,
    people.router,
    reports.router,
    calendar.router,
    attendance.router,
    devices.router,
)


def mount_console(app: FastAPI) -> None:
    for router in CONSOLE_ROUTERS:
        app.include_router(router, dependencies=[Depends(check_csrf)])
    app.mount(f"{CONSOLE_PREFIX}/static", StaticFiles(directory=STATIC_DIR), name="console-static")
    pages = dict(getattr(app.state, "error_pages", None) or {})
    pages[CONSOLE_PREFIX] = error_page
    app.state.error_pages = pages
