"""The per-user state machine kept in the Redis session: which flow, which step, the answers so far.

A session's ``data`` is plain JSON: ``{"flow": "leave", "step": "end", "msg": 812, "leave": {...}}``.
Every update loads it under the user's lock and saves it when a step changed it, so any bot replica (or
a restarted bot) continues where the user is. ``next_leave_step`` decides the order of the leave flow from
what is already answered, which is also how "Edit" returns to the summary after fixing one step.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Any

from shared.domain.enums import HalfDay
from shared.domain.leave import Step as RuleStep
from shared.sessions import UserSession


class Flow(StrEnum):
    ONBOARD = "onboard"
    CHECK = "check"
    LEAVE = "leave"
    REJECT = "reject"
    DELEGATE = "delegate"
    CORRECT = "correct"
    REJECT_CORRECTION = "reject_correction"
    WAIVE = "waive"


class Step(StrEnum):
    CODE = "code"
    LOCATION = "location"
    TYPE = "type"
    START = "start"
    END = "end"
    HALF = "half"
    TIMES = "times"
    DELEGATE = "delegate"
    REASON = "reason"
    ATTACHMENT = "attachment"
    CONFIRM = "confirm"
    EDIT = "edit"
    DAY = "day"
    DIRECTION = "direction"
    TIME = "time"


def begin(session: UserSession, flow: Flow, step: Step, **data: Any) -> None:
    """Start ``flow`` at ``step``, dropping whatever flow the user was in."""
    session.data = {"flow": flow.value, "step": step.value, **data}


def goto(session: UserSession, step: Step) -> None:
    session.data["step"] = step.value


def clear(session: UserSession) -> None:
    session.data = {}


def in_step(session: UserSession, flow: Flow, *steps: Step) -> bool:
    return session.flow == flow.value and (not steps or session.step in {s.value for s in steps})


# ----- the leave flow's answers -----

SINGLE_DAY_OPTIONS = ("f", "am", "pm")
SPAN_OPTIONS = ("f", "s", "e", "se")
_HALVES: dict[str, tuple[HalfDay | None, HalfDay | None]] = {
    "f": (None, None),
    "am": (HalfDay.MORNING, HalfDay.MORNING),
    "pm": (HalfDay.AFTERNOON, HalfDay.AFTERNOON),
    "s": (HalfDay.AFTERNOON, None),
    "e": (None, HalfDay.MORNING),
    "se": (HalfDay.AFTERNOON, HalfDay.MORNING),
}
_CLEARS = {
    "type": ("type_id", "type_name", "half_ok", "doc", "half", "hourly", "times", "backdate"),
    "dates": ("start", "end", "half", "times"),
    "half": ("half",),
    "reason": ("reason",),
    "attachment": ("attachment", "attachment_kind"),
}
_RULE_STEP_TO_EDIT = {
    RuleStep.TYPE: "type",
    RuleStep.DATES: "dates",
    RuleStep.HALF_DAY: "half",
    RuleStep.REASON: "reason",
    RuleStep.ATTACHMENT: "attachment",
}


def draft(session: UserSession) -> dict[str, Any]:
    """The leave answers (created empty on first use)."""
    return session.data.setdefault("leave", {})


def confirm_key(d: dict[str, Any], start: date, end: date, start_half: HalfDay | None, end_half: HalfDay | None) -> str:
    """The wizard's idempotency key for Confirm: the same answers confirmed twice (a redelivered update)
    make one request; changed answers make a new key."""
    halves = f"{start_half.value if start_half else '-'}{end_half.value if end_half else '-'}"
    times = f":{d['times']}" if d.get("times") else ""
    return f"wizard:{d.get('key', '')}:{d.get('type_id')}:{start.isoformat()}:{end.isoformat()}:{halves}{times}"


def times_of(d: dict[str, Any]) -> tuple[time | None, time | None]:
    """The hourly range answered (``"10:00-12:00"``), or (None, None)."""
    if not d.get("times"):
        return None, None
    first, _, second = str(d["times"]).partition("-")
    return time.fromisoformat(first), time.fromisoformat(second)


def half_options(start: date, end: date) -> tuple[str, ...]:
    return SINGLE_DAY_OPTIONS if start == end else SPAN_OPTIONS


def halves(option: str | None) -> tuple[HalfDay | None, HalfDay | None]:
    return _HALVES.get(option or "f", (None, None))


def valid_half(option: str, start: date, end: date) -> bool:
    return option in half_options(start, end)


def start_of(d: dict[str, Any]) -> date | None:
    return date.fromisoformat(d["start"]) if d.get("start") else None


def end_of(d: dict[str, Any]) -> date | None:
    return date.fromisoformat(d["end"]) if d.get("end") else None


def next_leave_step(d: dict[str, Any]) -> Step:
    """The first unanswered step, in the flow's order; CONFIRM once everything needed is known."""
    if "type_id" not in d:
        return Step.TYPE
    if "start" not in d:
        return Step.START
    if "end" not in d:
        return Step.END
    if d.get("hourly") and "times" not in d:
        return Step.TIMES
    if d.get("half_ok") and "half" not in d:
        return Step.HALF
    if "reason" not in d:
        return Step.REASON
    if d.get("doc") and "attachment" not in d:
        return Step.ATTACHMENT
    return Step.CONFIRM


def forget(d: dict[str, Any], edit: str) -> None:
    """Drop the answers of one editable step (and those that depend on it)."""
    for key in _CLEARS.get(edit, ()):
        d.pop(key, None)


def edit_for_rule(step: RuleStep | None) -> str:
    """The editable step that fixes a broken rule (dates when the rule names none)."""
    return _RULE_STEP_TO_EDIT.get(step, "dates") if step is not None else "dates"
