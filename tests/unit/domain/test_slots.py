"""positional_builder: instances built without the frozen __init__ are the same as the class builds."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from shared.domain.attendance import DayContext, DayLeave, DayResult, new_context
from shared.domain.enums import AttendanceStatus, Direction, PunchSource
from shared.domain.punches import PunchFact, new_fact
from shared.domain.slots import positional_builder

NOW = datetime(2026, 11, 16, 8, tzinfo=UTC)


def test_a_built_punch_fact_equals_hashes_and_orders_like_one_the_class_builds():
    built, made = new_fact(NOW, Direction.IN, PunchSource.DEVICE), PunchFact(NOW, Direction.IN, PunchSource.DEVICE)
    assert type(built) is PunchFact and built == made and hash(built) == hash(made)
    assert sorted([PunchFact(NOW, Direction.OUT), built]) == [made, PunchFact(NOW, Direction.OUT)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.instant = NOW  # type: ignore[misc]


def test_a_built_day_result_has_every_field_in_declaration_order():
    values = (7, date(2026, 11, 16), AttendanceStatus.PRESENT, NOW, NOW, 480, 5, 0, False, 3, None, 4, True, 1, 30)
    built = positional_builder(DayResult)(*values)
    assert built == DayResult(*values)
    assert dataclasses.astuple(built) == values


def test_a_built_day_context_equals_the_class_built_one_for_normalised_values():
    values = (date(2026, 11, 16), "12345", False, DayLeave.MORNING, 9, 7, ())
    assert new_context(*values) == DayContext(*values)


def test_a_class_whose_post_init_would_be_skipped_is_refused_unless_the_caller_promises_normalised_values():
    with pytest.raises(TypeError, match="__post_init__"):
        positional_builder(DayContext)


def test_a_class_without_slots_is_refused():
    @dataclasses.dataclass(frozen=True)
    class Plain:
        x: int

    with pytest.raises(TypeError, match="slotted"):
        positional_builder(Plain)
