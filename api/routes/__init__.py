"""One module per resource, each with ``router = APIRouter(prefix=…, tags=[…])``.

To add a resource: write ``api/routes/<resource>.py`` (schemas in ``api/schemas/<resource>.py``) and
append its router to ``API_ROUTERS`` below; ``create_app`` mounts them all under ``/api/v1``.
"""

from __future__ import annotations

from api.routes import (
    approvals,
    attendance,
    audit_logs,
    balances,
    calendar_feeds,
    compliance,
    corrections,
    departments,
    devices,
    employees,
    holiday_calendars,
    invitations,
    job_runs,
    lateness,
    leave_types,
    leaves,
    ledger,
    offices,
    outbox,
    overtime,
    personal_data,
    reports,
    shifts,
    tokens,
)

# FastAPI matches a request against the routes in this order, one by one (no prefix shortcut): the
# routers integrations call most come first.
API_ROUTERS = [
    employees.router,
    attendance.router,
    leaves.router,
    reports.router,
    balances.router,
    ledger.router,
    corrections.router,
    overtime.router,
    lateness.router,
    approvals.router,
    compliance.router,
    personal_data.router,
    departments.router,
    offices.router,
    shifts.router,
    leave_types.router,
    approvals.chains,
    holiday_calendars.router,
    invitations.router,
    outbox.router,
    devices.router,
    tokens.router,
    calendar_feeds.router,
    audit_logs.router,
    job_runs.router,
]
