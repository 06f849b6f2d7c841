"""Callback data: short ``kind:arg:arg`` strings that carry ids and small tokens, never authority.

Telegram limits callback data to 64 bytes and a modified client can send anything, so every press is
decoded here (malformed data → ``None``) and re-authorised by the service it reaches.

| data | meaning |
|---|---|
| ``lv:a:<request>[:<level>]`` / ``lv:r:…`` | approve / reject (at a chain level; by ``shared.notify.leave_messages``) |
| ``lc:<request>`` | cancel my request |
| ``lt:<leave type>`` | leave flow: the type |
| ``cal:d:<YYYYMMDD>`` / ``cal:m:<YYYYMM>`` / ``cal:n`` | calendar: a day / another month / nothing |
| ``hd:<f, am, pm, s, e, se>`` | leave flow: half-day option |
| ``lf:<skip, same, ok, edit, cancel>`` / ``lf:e:<step>`` | leave flow actions / edit one step |
| ``lang:<locale>`` | switch language |
| ``ch:<auto, telegram, email, both>`` | /settings: how I am notified |
| ``rl:<employee>`` | HR confirms re-linking an already linked employee (a new invitation code) |
| ``dg:p:<employee>`` / ``dg:d:<t, w, 7, 14, l<request>>`` / ``dg:x:<id>`` | /delegate: whom, how long, end |
| ``cr:a:<correction>`` / ``cr:r:<correction>`` | approve / reject a missed-punch correction |
| ``cf:d:<YYYYMMDD>`` / ``cf:in`` / ``cf:out`` / ``cf:x`` | /correct: the day / check-in or check-out / stop |
| ``ot:a:<employee>:<YYYYMMDD>`` / ``ot:r:…`` | approve / reject a person's overtime in the week from that Monday |
| ``lw:<notice>`` | HR waives a lateness notice |
| ``tc:<YYYYMM>`` / ``tc:<YYYYMM>:<department>`` | team calendar: show a month (of a department, HR) |
| ``wo:<tw, nw, tm, nm>`` | who's out: this week, next week, this month, next month |
| ``fd:<p, s, t, c, x>`` | calendar feeds: a new personal (with shifts) / team / company link, revoke all mine |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.config import SUPPORTED_LOCALES
from shared.domain.enums import ChannelChoice
from shared.domain.ids import parse_id
from shared.notify.leave_messages import APPROVE, REJECT, decision_callback, parse_decision_callback
from shared.notify.timekeeping_messages import parse_correction_callback

MAX_BYTES = 64
LEAVE_ACTIONS = frozenset({"skip", "same", "ok", "edit", "cancel", "back", "summary"})
EDITABLE_STEPS = frozenset({"type", "dates", "half", "reason", "attachment"})
HALF_OPTIONS = frozenset({"f", "am", "pm", "s", "e", "se"})
CHANNEL_CHOICES = frozenset(c.value for c in ChannelChoice)


@dataclass(frozen=True)
class Callback:
    """A decoded press: its ``kind`` and typed arguments."""

    kind: str
    request_id: int | None = None
    approve: bool | None = None
    number: int | None = None
    day: date | None = None
    month: tuple[int, int] | None = None
    token: str | None = None
    employee_id: int | None = None


def _check(data: str) -> str:
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def approve(request_id: int) -> str:
    return _check(decision_callback(APPROVE, request_id))


def reject(request_id: int) -> str:
    return _check(decision_callback(REJECT, request_id))


def cancel_request(request_id: int) -> str:
    return _check(f"lc:{request_id}")


def confirm_cancel(request_id: int) -> str:
    """ "Yes, cancel it" under the question asked before an approved leave is cancelled."""
    return _check(f"lcy:{request_id}")


KEEP_LEAVE = "lck"  # "No, keep it": back to the list, nothing changed


def leave_type(type_id: int) -> str:
    return _check(f"lt:{type_id}")


def calendar_day(day: date) -> str:
    return _check(f"cal:d:{day:%Y%m%d}")


def calendar_month(year: int, month: int) -> str:
    return _check(f"cal:m:{year:04d}{month:02d}")


CALENDAR_NOOP = "cal:n"
CALENDAR_BLOCKED = "cal:x"  # a day that cannot be picked (past, day off, already on leave): says why


def half_day(option: str) -> str:
    if option not in HALF_OPTIONS:
        raise ValueError(f"unknown half-day option {option!r}")
    return _check(f"hd:{option}")


def leave_action(action: str) -> str:
    if action not in LEAVE_ACTIONS:
        raise ValueError(f"unknown leave-flow action {action!r}")
    return _check(f"lf:{action}")


def edit_step(step: str) -> str:
    if step not in EDITABLE_STEPS:
        raise ValueError(f"unknown step {step!r}")
    return _check(f"lf:e:{step}")


def language(locale: str) -> str:
    return _check(f"lang:{locale}")


def channels(choice: str) -> str:
    if choice not in CHANNEL_CHOICES:
        raise ValueError(f"unknown channel choice {choice!r}")
    return _check(f"ch:{choice}")


def relink(employee_id: int) -> str:
    return _check(f"rl:{employee_id}")


DELEGATE_PERIODS = frozenset({"t", "w", "7", "14"})


def delegate_person(employee_id: int) -> str:
    return _check(f"dg:p:{employee_id}")


def delegate_period(period: str) -> str:
    if period not in DELEGATE_PERIODS and not (period.startswith("l") and parse_id(period[1:])):
        raise ValueError(f"unknown delegation period {period!r}")
    return _check(f"dg:d:{period}")


def end_delegation(delegation_id: int) -> str:
    return _check(f"dg:x:{delegation_id}")


def _decode_delegate(rest: str) -> Callback | None:
    sub, _, value = rest.partition(":")
    if sub == "p" and (number := _positive(value)):
        return Callback("delegate_to", number=number)
    if sub == "x" and (number := _positive(value)):
        return Callback("delegate_end", number=number)
    if sub == "d" and (value in DELEGATE_PERIODS or (value.startswith("l") and _positive(value[1:]))):
        return Callback("delegate_period", token=value)
    return None


def correction_day(day: date) -> str:
    return _check(f"cf:d:{day:%Y%m%d}")


CORRECTION_DIRECTIONS = frozenset({"in", "out"})
CORRECTION_STOP = "cf:x"


def correction_direction(direction: str) -> str:
    if direction not in CORRECTION_DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}")
    return _check(f"cf:{direction}")


WHOS_OUT_PERIODS = {"tw": "this week", "nw": "next week", "tm": "this month", "nm": "next month"}
FEED_ACTIONS = frozenset({"p", "s", "t", "c", "x"})


def team_calendar(year: int, month: int, department_id: int | None = None) -> str:
    suffix = f":{department_id}" if department_id is not None else ""
    return _check(f"tc:{year:04d}{month:02d}{suffix}")


def whos_out_period(code: str) -> str:
    if code not in WHOS_OUT_PERIODS:
        raise ValueError(f"unknown period {code!r}")
    return _check(f"wo:{code}")


def feed_action(action: str) -> str:
    if action not in FEED_ACTIONS:
        raise ValueError(f"unknown feed action {action!r}")
    return _check(f"fd:{action}")


def _positive(text: str) -> int | None:
    return parse_id(text)


def _day(text: str) -> date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _month(text: str) -> tuple[int, int] | None:
    if len(text) != 6 or not text.isdigit():
        return None
    year, month = int(text[:4]), int(text[4:])
    return (year, month) if 1 <= month <= 12 and 1900 < year < 2200 else None


def decode(data: str | None) -> Callback | None:
    """The press behind ``data``; ``None`` when it is not something this bot could have sent."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    decision = parse_decision_callback(data)
    if decision is not None:
        action, request_id, level = decision
        return Callback("decide", request_id=request_id, approve=action == APPROVE, number=level)
    correction = parse_correction_callback(data)
    if correction is not None:
        action, correction_id = correction
        return Callback("correction", request_id=correction_id, approve=action == APPROVE)
    kind, _, rest = data.partition(":")
    if kind == "cf":
        return _decode_correction_flow(rest)
    if kind == "ot":
        return _decode_overtime(rest)
    if kind == "lw" and (number := _positive(rest)):
        return Callback("waive", number=number)
    if kind == "lc" and (number := _positive(rest)):
        return Callback("cancel", request_id=number)
    if kind == "lcy" and (number := _positive(rest)):
        return Callback("cancel", request_id=number, token="confirmed")
    if kind == KEEP_LEAVE and not rest:
        return Callback("keep")
    if kind == "lt" and (number := _positive(rest)):
        return Callback("type", number=number)
    if kind == "rl" and (number := _positive(rest)):
        return Callback("relink", number=number)
    if kind == "cal":
        return _decode_calendar(rest)
    if kind == "hd" and rest in HALF_OPTIONS:
        return Callback("half", token=rest)
    if kind == "lf":
        if rest in LEAVE_ACTIONS:
            return Callback("flow", token=rest)
        sub, _, step = rest.partition(":")
        if sub == "e" and step in EDITABLE_STEPS:
            return Callback("edit", token=step)
        return None
    if kind == "dg":
        return _decode_delegate(rest)
    if kind == "lang" and rest in SUPPORTED_LOCALES:
        return Callback("language", token=rest)
    if kind == "ch" and rest in CHANNEL_CHOICES:
        return Callback("channels", token=rest)
    if kind == "tc":
        month_text, _, department = rest.partition(":")
        month = _month(month_text)
        number = _positive(department) if department else None
        if month is None or (department and number is None):
            return None
        return Callback("team_calendar", month=month, number=number)
    if kind == "wo" and rest in WHOS_OUT_PERIODS:
        return Callback("whos_out", token=WHOS_OUT_PERIODS[rest])
    if kind == "fd" and rest in FEED_ACTIONS:
        return Callback("feed", token=rest)
    return None


def _decode_calendar(rest: str) -> Callback | None:
    if rest == "n":
        return Callback("noop")
    if rest == "x":
        return Callback("blocked")
    sub, _, value = rest.partition(":")
    if sub == "d" and (day := _day(value)):
        return Callback("day", day=day)
    if sub == "m" and (month := _month(value)):
        return Callback("month", month=month)
    return None


def _decode_correction_flow(rest: str) -> Callback | None:
    if rest in CORRECTION_DIRECTIONS:
        return Callback("correct_direction", token=rest)
    if rest == "x":
        return Callback("correct_stop")
    sub, _, value = rest.partition(":")
    if sub == "d" and (day := _day(value)):
        return Callback("correct_day", day=day)
    return None


def _decode_overtime(rest: str) -> Callback | None:
    """``a:<employee>:<YYYYMMDD>``: the week must start on a Monday."""
    parts = rest.split(":")
    if len(parts) != 3 or parts[0] not in (APPROVE, REJECT):
        return None
    employee_id, week = _positive(parts[1]), _day(parts[2])
    if employee_id is None or week is None or week.isoweekday() != 1:
        return None
    return Callback("overtime", approve=parts[0] == APPROVE, employee_id=employee_id, day=week)
