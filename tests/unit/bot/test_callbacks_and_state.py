"""Callback data codec (ids only, forged data → None) and the leave flow's step order."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronos_bot import callbacks, state
from chronos_bot.callbacks import Callback, decode
from chronos_bot.state import Step
from shared.domain.enums import HalfDay
from shared.domain.ids import MAX_ID
from shared.domain.leave import Step as RuleStep


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (callbacks.approve(17), Callback("decide", request_id=17, approve=True)),
        (callbacks.reject(17), Callback("decide", request_id=17, approve=False)),
        (callbacks.cancel_request(5), Callback("cancel", request_id=5)),
        (callbacks.leave_type(3), Callback("type", number=3)),
        (callbacks.calendar_day(date(2026, 2, 28)), Callback("day", day=date(2026, 2, 28))),
        (callbacks.calendar_month(2027, 1), Callback("month", month=(2027, 1))),
        (callbacks.CALENDAR_NOOP, Callback("noop")),
        (callbacks.half_day("se"), Callback("half", token="se")),
        (callbacks.leave_action("ok"), Callback("flow", token="ok")),
        (callbacks.edit_step("dates"), Callback("edit", token="dates")),
        (callbacks.language("ar"), Callback("language", token="ar")),
        ("lv:a:17:1", Callback("decide", request_id=17, approve=True, number=1)),
        (callbacks.delegate_person(4), Callback("delegate_to", number=4)),
        (callbacks.delegate_period("w"), Callback("delegate_period", token="w")),
        (callbacks.delegate_period("l12"), Callback("delegate_period", token="l12")),
        (callbacks.end_delegation(9), Callback("delegate_end", number=9)),
    ],
)
def test_what_the_bot_writes_decodes_to_the_same_press(data: str, expected: Callback) -> None:
    assert decode(data) == expected


@pytest.mark.parametrize(
    "data",
    [None, "", "lv:a:", "lv:x:1", "lv:a:0", "lv:a:1:2:3", "lv:a:1:x", "lv:a:1:1234", "lv:a:-1", "dg:d:3", "dg:d:l", "dg:p:0", "lc:abc", "lt:0", "cal:d:20261340", "cal:d:2026",
     "cal:m:202613", "hd:xx", "lf:nope", "lf:e:salary", "lang:de", "zz:1", "x" * 65, "lv:a:" + "9" * 60,
     "lv:a:" + "9" * 25, "lv:r:2147483648", "lc:" + "1" * 19, "lt:99999999999", "lv:a:١٢"],
)  # fmt: skip
def test_anything_else_decodes_to_nothing(data: str | None) -> None:
    assert decode(data) is None


def test_data_over_64_bytes_is_refused_when_writing() -> None:
    with pytest.raises(ValueError):
        callbacks.cancel_request(10**70)


@given(st.text(max_size=80))
def test_decoding_never_raises(data: str) -> None:
    decode(data)


@given(st.integers(min_value=1, max_value=MAX_ID))
def test_ids_round_trip(request_id: int) -> None:
    assert decode(callbacks.approve(request_id)) == Callback("decide", request_id=request_id, approve=True)
    assert decode(callbacks.cancel_request(request_id)) == Callback("cancel", request_id=request_id)


def test_the_leave_steps_follow_what_is_answered() -> None:
    d: dict = {}
    assert state.next_leave_step(d) is Step.TYPE
    d.update(type_id=1, half_ok=True, doc=True)
    assert state.next_leave_step(d) is Step.START
    d["start"] = "2026-12-01"
    assert state.next_leave_step(d) is Step.END
    d["end"] = "2026-12-02"
    assert state.next_leave_step(d) is Step.HALF
    d["half"] = "f"
    assert state.next_leave_step(d) is Step.REASON
    d["reason"] = None  # skipped is answered
    assert state.next_leave_step(d) is Step.ATTACHMENT
    d["attachment"] = "file-id"
    assert state.next_leave_step(d) is Step.CONFIRM


def test_types_without_half_days_or_documents_skip_those_steps() -> None:
    d = {"type_id": 1, "half_ok": False, "doc": False, "start": "2026-12-01", "end": "2026-12-01", "reason": "x"}
    assert state.next_leave_step(d) is Step.CONFIRM


def test_editing_the_dates_forgets_the_half_days_too_and_returns_to_the_summary_after() -> None:
    d = {"type_id": 1, "half_ok": True, "doc": False, "start": "2026-12-01", "end": "2026-12-03", "half": "s",
         "reason": "x"}  # fmt: skip
    state.forget(d, "dates")
    assert "half" not in d and state.next_leave_step(d) is Step.START
    d.update(start="2026-12-01", end="2026-12-01", half="am")
    assert state.next_leave_step(d) is Step.CONFIRM


@pytest.mark.parametrize(
    ("option", "halves"),
    [("f", (None, None)), ("am", (HalfDay.MORNING, HalfDay.MORNING)), ("pm", (HalfDay.AFTERNOON, HalfDay.AFTERNOON)),
     ("s", (HalfDay.AFTERNOON, None)), ("e", (None, HalfDay.MORNING)), ("se", (HalfDay.AFTERNOON, HalfDay.MORNING))],
)  # fmt: skip
def test_half_day_options_map_to_the_stored_halves(option: str, halves: tuple) -> None:
    assert state.halves(option) == halves


def test_half_day_options_depend_on_one_day_or_several() -> None:
    one, many = date(2026, 12, 1), date(2026, 12, 2)
    assert state.half_options(one, one) == ("f", "am", "pm")
    assert state.half_options(one, many) == ("f", "s", "e", "se")
    assert not state.valid_half("am", one, many) and state.valid_half("se", one, many)


@pytest.mark.parametrize(
    ("rule_step", "edit"),
    [(RuleStep.DATES, "dates"), (RuleStep.TYPE, "type"), (RuleStep.HALF_DAY, "half"),
     (RuleStep.ATTACHMENT, "attachment"), (None, "dates")],
)  # fmt: skip
def test_a_broken_rule_sends_the_user_to_the_step_that_fixes_it(rule_step: RuleStep | None, edit: str) -> None:
    assert state.edit_for_rule(rule_step) == edit


@given(st.integers(min_value=MAX_ID + 1, max_value=10**30))
def test_an_id_beyond_the_schema_decodes_to_nothing(request_id: int) -> None:
    assert decode(f"lv:a:{request_id}") is None
    assert decode(f"lc:{request_id}") is None
    assert decode(f"lt:{request_id}") is None
