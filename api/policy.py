"""The access policy: who may read or write what, over whose data. One table, enforced in one place.

Every route of the app has exactly one :class:`Rule` here, keyed by its method and path. The app-wide
dependency ``api.access.enforce_policy`` looks the matched route up on every request, authenticates the
token and refuses a role the rule does not grant (403) before the route runs; a route without a rule is
refused too, and ``create_app`` will not even start with one (``check_routes``). The OpenAPI document
carries each operation's rule (``x-access``, and a line in its description), ``docs/access-policy.md`` is
rendered from this table, and ``tests/integration/api/test_access_matrix.py`` walks every operation of the
OpenAPI with every role to prove the app does what the table says.

Scopes say whose data a granted role reaches:

- ``all`` — everyone's;
- ``line`` — the token's employee and everyone reporting to them, directly or indirectly (for leave
  requests also the requests routed to them for a decision); lists are filtered to it, and an item or an
  ``employee_id`` in the path outside it is a 403;
- ``own`` — only the token's own employee (a manager cancels only their own requests; contact data).

Services refine some grants further: a decision is taken by the request's approver (or HR), never by its
owner; nobody adjusts their own balance or sets their own attendance.

Fields inside an answer follow the same table (``FIELDS``): contact data (e-mail, phone) is shown to HR and
admin and to the person themselves; leave reasons (reason, decision comment, attachment) to HR and admin
and the person's managers and approvers, never to readonly tokens. Other readers get ``null``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from shared.domain.enums import TokenRole

API_PREFIX = "/api/v1"
ROLES = tuple(TokenRole)


class Scope(enum.StrEnum):
    ALL = "all"
    LINE = "line"
    OWN = "own"


class Action(enum.StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True)
class Rule:
    """What one route is (``resource``, ``action``) and which token roles reach it, with what scope.
    A role missing from ``grants`` is refused; a ``public`` rule needs no token at all."""

    resource: str
    action: Action
    grants: Mapping[TokenRole, Scope] = field(default_factory=dict)
    public: bool = False

    def scope_for(self, role: TokenRole) -> Scope | None:
        return self.grants.get(role)


A, H, M, R, X = TokenRole.ADMIN, TokenRole.HR, TokenRole.MANAGER, TokenRole.READONLY, TokenRole.METRICS
ALL, LINE, OWN = Scope.ALL, Scope.LINE, Scope.OWN
READ, WRITE = Action.READ, Action.WRITE
HR_ONLY = {A: ALL, H: ALL}


def _rule(resource: str, action: Action, **grants: Scope) -> Rule:
    roles = {"admin": A, "hr": H, "manager": M, "readonly": R, "metrics": X}
    return Rule(resource, action, {roles[k]: v for k, v in grants.items()})


PUBLIC = Rule("health and docs", READ, public=True)
# Links in e-mails carry their own authority (signed; decisions single use and expiring): no token.
MAIL_LINKS_READ = Rule("e-mail links (signed, in the mail)", READ, public=True)
MAIL_LINKS_WRITE = Rule("e-mail links (signed, in the mail)", WRITE, public=True)
OUTBOX_READ = _rule("notifications (outbox, per channel)", READ, admin=ALL, hr=ALL)
METRICS = _rule("metrics", READ, admin=ALL, metrics=ALL)
EMPLOYEES_READ = _rule("employees", READ, admin=ALL, hr=ALL, manager=LINE, readonly=ALL)
EMPLOYEES_WRITE = _rule("employees", WRITE, admin=ALL, hr=ALL)
ORG_READ = _rule(
    "organisation (departments, offices, shifts, leave types, holidays)",
    READ,
    admin=ALL,
    hr=ALL,
    manager=ALL,
    readonly=ALL,
)
ORG_WRITE = _rule("organisation (departments, offices, shifts, leave types, holidays)", WRITE, admin=ALL, hr=ALL)
LEAVE_READ = _rule("leave requests", READ, admin=ALL, hr=ALL, manager=LINE, readonly=ALL)
LEAVE_WRITE = _rule("leave requests", WRITE, admin=ALL, hr=ALL)
DECISIONS = _rule("leave decisions", WRITE, admin=ALL, hr=ALL, manager=LINE)
CANCELLATIONS = _rule("leave cancellations", WRITE, admin=ALL, hr=ALL, manager=OWN)
BALANCES_READ = _rule("balances and ledger", READ, admin=ALL, hr=ALL, manager=LINE, readonly=ALL)
BALANCES_WRITE = _rule("balances and ledger", WRITE, admin=ALL, hr=ALL)
ATTENDANCE_READ = _rule("attendance", READ, admin=ALL, hr=ALL, manager=LINE, readonly=ALL)
ATTENDANCE_WRITE = _rule("attendance", WRITE, admin=ALL, hr=ALL)
REPORTS = _rule("reports", READ, admin=ALL, hr=ALL, manager=LINE, readonly=ALL)
INVITATIONS_READ = _rule("invitations", READ, admin=ALL, hr=ALL, manager=LINE)
INVITATIONS_WRITE = _rule("invitations", WRITE, admin=ALL, hr=ALL)
DEVICES_READ = _rule("devices", READ, admin=ALL, hr=ALL, readonly=ALL)
DEVICES_WRITE = _rule("devices", WRITE, admin=ALL, hr=ALL)
JOB_RUNS = _rule("job runs", READ, admin=ALL, hr=ALL, readonly=ALL)
AUDIT_LOG = _rule("audit log", READ, admin=ALL, hr=ALL, manager=LINE)
COMPLIANCE_READ = _rule("working-time violations and rules", READ, admin=ALL, hr=ALL, manager=LINE, readonly=ALL)
COMPLIANCE_WRITE = _rule("working-time violations and rules", WRITE, admin=ALL, hr=ALL)
PERSONAL_DATA = _rule("personal data (subject access, erasure, legal hold)", WRITE, admin=ALL, hr=ALL)
CORRECTIONS_READ = _rule("punch corrections", READ, admin=ALL, hr=ALL, manager=LINE, readonly=ALL)
CORRECTIONS_WRITE = _rule("punch corrections", WRITE, admin=ALL, hr=ALL)
CORRECTION_DECISIONS = _rule("punch correction decisions", WRITE, admin=ALL, hr=ALL, manager=LINE)
OVERTIME_READ = _rule("overtime", READ, admin=ALL, hr=ALL, manager=LINE, readonly=ALL)
OVERTIME_DECISIONS = _rule("overtime decisions", WRITE, admin=ALL, hr=ALL, manager=LINE)
OVERTIME_REVERSALS = _rule("overtime reversals", WRITE, admin=ALL, hr=ALL)
LATENESS_READ = _rule("lateness notices", READ, admin=ALL, hr=ALL, manager=LINE, readonly=ALL)
LATENESS_WRITE = _rule("lateness notices", WRITE, admin=ALL, hr=ALL)
FEEDS_READ = _rule("calendar feeds", READ, admin=ALL, hr=ALL, manager=LINE)
FEEDS_WRITE = _rule("calendar feeds", WRITE, admin=ALL, hr=ALL, manager=LINE)
CALENDAR_FEED = Rule("calendar feed (the secret token in its URL)", READ, public=True)
TOKENS_READ = _rule("API tokens", READ, admin=ALL)
TOKENS_WRITE = _rule("API tokens", WRITE, admin=ALL)

FIELDS: dict[str, Rule] = {
    "contact data (e-mail, phone)": _rule("contact data", READ, admin=ALL, hr=ALL, manager=OWN, readonly=OWN),
    "leave reasons (reason, decision comment, attachment)": _rule(
        "leave reasons", READ, admin=ALL, hr=ALL, manager=LINE
    ),
}
CONTACT, LEAVE_REASONS = FIELDS.values()


def _crud(base: str, param: str, read: Rule, write: Rule, *, delete: bool = True) -> dict[tuple[str, str], Rule]:
    item = f"{base}/{{{param}}}"
    rules = {("GET", base): read, ("GET", item): read, ("POST", base): write, ("PATCH", item): write}
    if delete:
        rules["DELETE", item] = write
    return rules


_API: dict[tuple[str, str], Rule] = {
    **_crud("/employees", "employee_id", EMPLOYEES_READ, EMPLOYEES_WRITE, delete=False),
    ("POST", "/employees/{employee_id}/deactivate"): EMPLOYEES_WRITE,
    ("POST", "/employees/{employee_id}/reactivate"): EMPLOYEES_WRITE,
    ("POST", "/employees/import"): EMPLOYEES_WRITE,
    **_crud("/departments", "department_id", ORG_READ, ORG_WRITE),
    **_crud("/offices", "office_id", ORG_READ, ORG_WRITE),
    **_crud("/shifts", "shift_id", ORG_READ, ORG_WRITE),
    **_crud("/leave-types", "leave_type_id", ORG_READ, ORG_WRITE),
    **_crud("/holiday-calendars", "calendar_id", ORG_READ, ORG_WRITE),
    ("POST", "/holiday-calendars/{calendar_id}/import"): ORG_WRITE,
    **_crud("/holiday-calendars/{calendar_id}/holidays", "holiday_id", ORG_READ, ORG_WRITE),
    ("GET", "/leaves"): LEAVE_READ,
    ("GET", "/leaves/{request_id}"): LEAVE_READ,
    ("POST", "/leaves/quote"): LEAVE_READ,  # checks the rules, writes nothing
    ("POST", "/leaves"): LEAVE_WRITE,
    ("POST", "/leaves/{request_id}/approve"): DECISIONS,
    ("POST", "/leaves/{request_id}/reject"): DECISIONS,
    ("POST", "/leaves/{request_id}/cancel"): CANCELLATIONS,
    ("GET", "/balances/{employee_id}"): BALANCES_READ,
    ("GET", "/ledger/{employee_id}"): BALANCES_READ,
    ("POST", "/ledger/adjust"): BALANCES_WRITE,
    ("GET", "/attendance/daily"): ATTENDANCE_READ,
    ("GET", "/attendance/punches"): ATTENDANCE_READ,
    ("POST", "/attendance/punches"): ATTENDANCE_WRITE,
    ("PUT", "/attendance/daily/{employee_id}/{date}"): ATTENDANCE_WRITE,
    ("DELETE", "/attendance/daily/{employee_id}/{date}/override"): ATTENDANCE_WRITE,
    ("POST", "/attendance/process"): ATTENDANCE_WRITE,
    ("GET", "/corrections"): CORRECTIONS_READ,
    ("GET", "/corrections/{correction_id}"): CORRECTIONS_READ,
    ("POST", "/corrections"): CORRECTIONS_WRITE,
    ("POST", "/corrections/{correction_id}/approve"): CORRECTION_DECISIONS,
    ("POST", "/corrections/{correction_id}/reject"): CORRECTION_DECISIONS,
    ("GET", "/overtime"): OVERTIME_READ,
    ("POST", "/overtime/{employee_id}/approve"): OVERTIME_DECISIONS,
    ("POST", "/overtime/{employee_id}/reject"): OVERTIME_DECISIONS,
    ("POST", "/overtime/{employee_id}/reverse"): OVERTIME_REVERSALS,
    ("GET", "/lateness-notices"): LATENESS_READ,
    ("POST", "/lateness-notices/{notice_id}/waive"): LATENESS_WRITE,
    ("GET", "/reports/exceptions"): REPORTS,
    ("GET", "/reports/timesheet"): REPORTS,
    ("GET", "/invitations"): INVITATIONS_READ,
    ("GET", "/invitations/{invitation_id}"): INVITATIONS_READ,
    ("POST", "/invitations"): INVITATIONS_WRITE,
    ("POST", "/invitations/{invitation_id}/revoke"): INVITATIONS_WRITE,
    **_crud("/devices", "device_id", DEVICES_READ, DEVICES_WRITE),
    ("POST", "/devices/{device_id}/sync"): DEVICES_WRITE,
    ("GET", "/tokens"): TOKENS_READ,
    ("POST", "/tokens"): TOKENS_WRITE,
    ("POST", "/tokens/{token_id}/revoke"): TOKENS_WRITE,
    ("GET", "/calendar-feeds"): FEEDS_READ,
    ("POST", "/calendar-feeds"): FEEDS_WRITE,
    ("POST", "/calendar-feeds/{feed_id}/revoke"): FEEDS_WRITE,
    ("GET", "/audit-logs"): AUDIT_LOG,
    ("GET", "/audit-logs/{entry_id}"): AUDIT_LOG,
    ("GET", "/outbox"): OUTBOX_READ,
    ("GET", "/compliance/violations"): COMPLIANCE_READ,
    ("GET", "/compliance/violations/{violation_id}"): COMPLIANCE_READ,
    ("POST", "/compliance/violations/{violation_id}/acknowledge"): COMPLIANCE_WRITE,
    ("GET", "/compliance/rules"): COMPLIANCE_READ,
    ("PUT", "/compliance/rules"): COMPLIANCE_WRITE,
    ("GET", "/employees/{employee_id}/export"): PERSONAL_DATA,
    ("POST", "/employees/{employee_id}/erase"): PERSONAL_DATA,
    ("PUT", "/employees/{employee_id}/legal-hold"): PERSONAL_DATA,
    ("GET", "/job-runs"): JOB_RUNS,
    ("GET", "/job-runs/{run_id}"): JOB_RUNS,
}

CONSOLE_PREFIX = "/console"
CONSOLE_SIGN_IN = Rule("console sign-in", WRITE, public=True)
CONSOLE_SESSION = _rule("console session", WRITE, admin=ALL, hr=ALL, manager=OWN)

# The HR console (api/console): pages answer to the same rules as the API operations they show or do.
_CONSOLE: dict[tuple[str, str], Rule] = {
    ("GET", ""): CONSOLE_SESSION,  # the home page: where the signed-in person starts
    ("GET", "/sign-in"): CONSOLE_SIGN_IN,
    ("POST", "/sign-in/code"): CONSOLE_SIGN_IN,
    ("POST", "/sign-in/verify"): CONSOLE_SIGN_IN,
    ("GET", "/telegram"): CONSOLE_SIGN_IN,
    ("POST", "/sign-in/telegram"): CONSOLE_SIGN_IN,
    ("POST", "/sign-out"): CONSOLE_SESSION,
    ("POST", "/language"): CONSOLE_SESSION,
    ("GET", "/approvals"): LEAVE_READ,
    ("GET", "/leaves/{request_id}"): LEAVE_READ,
    ("GET", "/leaves/{request_id}/attachment"): LEAVE_READ,
    ("POST", "/leaves/{request_id}/approve"): DECISIONS,
    ("POST", "/leaves/{request_id}/reject"): DECISIONS,
    ("GET", "/today"): ATTENDANCE_READ,
    ("GET", "/today/board"): ATTENDANCE_READ,
    ("GET", "/people"): EMPLOYEES_READ,
    ("GET", "/people/{employee_id}"): EMPLOYEES_READ,
    ("POST", "/people/{employee_id}/invitations"): INVITATIONS_WRITE,
    ("GET", "/reports"): REPORTS,
    ("GET", "/reports/digest"): REPORTS,
    ("GET", "/reports/timesheet"): REPORTS,
    ("GET", "/calendar"): LEAVE_READ,
    ("GET", "/attendance"): ATTENDANCE_READ,
    ("GET", "/attendance/{employee_id}"): ATTENDANCE_READ,
    ("POST", "/attendance/{employee_id}/{date}/override"): ATTENDANCE_WRITE,
    ("GET", "/devices"): DEVICES_READ,
    ("POST", "/devices/{device_id}/sync"): DEVICES_WRITE,
}

POLICY: dict[tuple[str, str], Rule] = {
    **{(method, API_PREFIX + path): rule for (method, path), rule in _API.items()},
    **{(method, CONSOLE_PREFIX + path): rule for (method, path), rule in _CONSOLE.items()},
    ("GET", "/health/live"): PUBLIC,
    ("GET", "/health/ready"): PUBLIC,
    ("GET", "/metrics"): METRICS,
    ("GET", "/ical/{token}.ics"): CALENDAR_FEED,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/mail/leave/{link_token}"): MAIL_LINKS_READ,
    ("POST", "/mail/leave/{link_token}"): MAIL_LINKS_WRITE,
    ("GET", "/mail/unsubscribe/{unsubscribe_token}"): MAIL_LINKS_READ,
    ("POST", "/mail/unsubscribe/{unsubscribe_token}"): MAIL_LINKS_WRITE,
}


def rule_for(method: str, path: str) -> Rule | None:
    """The rule of a route (``path`` is its template, e.g. ``/api/v1/employees/{employee_id}``)."""
    verb = method.upper()
    return POLICY.get(("GET" if verb == "HEAD" else verb, path))


# ------------------------------------------------------------------------------------------ documentation

SCOPE_WORDS = {ALL: "all", LINE: "reporting line", OWN: "own"}


def _cell(rule: Rule, role: TokenRole) -> str:
    if rule.public:
        return "public"
    scope = rule.scope_for(role)
    return SCOPE_WORDS[scope] if scope else "—"


def describe(rule: Rule) -> str:
    """One line for an operation's description, e.g. ``admin: all · hr: all · manager: reporting line``."""
    if rule.public:
        return "**Access**: public (no token)."
    granted = [f"{role.value}: {SCOPE_WORDS[scope]}" for role, scope in rule.grants.items()]
    return f"**Access** ({rule.resource}, {rule.action.value}): " + " · ".join(granted) + "; other roles: 403."


def matrix_rows() -> list[tuple[str, str, list[str]]]:
    """(resource, action, cell per role) for every distinct rule, in the table's order."""
    seen: dict[tuple[str, Action], Rule] = {}
    for rule in [*POLICY.values(), *FIELDS.values()]:
        seen.setdefault((rule.resource, rule.action), rule)
    return [(r.resource, r.action.value, [_cell(r, role) for role in ROLES]) for r in seen.values()]


def matrix_markdown() -> str:
    """The role × resource × read/write × scope table, as Markdown (the API description and the docs page)."""
    lines = [
        "| resource | action | " + " | ".join(r.value for r in ROLES) + " |",
        "|---|---|" + "---|" * len(ROLES),
    ]
    lines += [f"| {resource} | {action} | " + " | ".join(cells) + " |" for resource, action, cells in matrix_rows()]
    return "\n".join(lines)


def routes_markdown() -> str:
    """Every route with its resource and action, as Markdown."""
    lines = ["| method | path | resource | action |", "|---|---|---|---|"]
    for (method, path), rule in sorted(POLICY.items(), key=lambda item: (item[0][1], item[0][0])):
        action = "public" if rule.public else rule.action.value
        lines.append(f"| {method} | `{path}` | {rule.resource} | {action} |")
    return "\n".join(lines)


def policy_page() -> str:
    """``docs/access-policy.md``: the whole policy as a page (a test keeps the file equal to this)."""
    return f"""# Access policy

Generated from `api/policy.py` by `python -m tools.access_policy_doc > docs/access-policy.md`; a test fails
when this page and the code differ. The same table is in the API description (`/docs`, `/redoc`), and every
operation of `/openapi.json` names its rule (`x-access`).

## Who may do what

Roles are the API token's; in the HR console (`/console`, docs/console.md) the signed-in person's role
(admin, hr or manager) stands for it, and its pages are rows of the same table. A cell names the scope a
role reaches; "—" is a 403.

- **all**: everyone's data.
- **reporting line**: the token's employee and everyone reporting to them, directly or indirectly (for
  leave requests also those routed to them for a decision). Lists leave the others out; an item of
  someone else, or an `employee_id` in the path outside the line, is a 403.
- **own**: only the token's own employee.

{matrix_markdown()}

Fields a reader may not see are answered as `null`: contact data (e-mail, phone) and leave reasons
(reason, decision comment, attachment). `readonly` tokens write nothing; `metrics` tokens read `/metrics`
and nothing else.

## Rules the services add

- Nobody acts on themselves: a token or bot user bound to a person cannot decide that person's leave
  request, adjust their balance, set their attendance by hand or add punches for them by hand.
- A leave decision is taken by the request's approver or HR; a manager cancels only their own requests.
- Tokens bound to a person die with the person's access: deactivating the employee revokes them, and a
  token whose employee is inactive or past their leaving date is refused (401) even before that.
  Every token may carry an expiry (`expires_at`, `chronos admin create-token --expires`).
  `chronos admin tokens list` and `chronos admin tokens revoke ID|NAME` manage them.
- Linking Telegram is explicit: a new invitation revokes the person's earlier pending codes; an already
  linked person is re-linked only with HR's confirmation (`relink: true`, or the bot's button), the chat
  that loses the link is told, and the audit log records both accounts.
- In the bot's team views (/whosout, /team) the type of someone's leave is shown only to the person,
  their approvers and HR, unless the type is public (`leave_types.public`, e.g. remote work); everyone
  else sees "away".

## Routes

{routes_markdown()}
"""
