"""positional_builder: instances built without the frozen __init__ are the same as the class builds."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from shared.domain.attendance import DayContext, DayLeave, new_context
from shared.domain.slots import positional_builder

NOW = datetime(2026, 11, 16, 8, tzinfo=UTC)


def test_a_day_context_built_without_its_init_has_every_field_in_declaration_order():
    values = (date(2026, 11, 16), "1234567", True, DayLeave.FULL, 9, 7, ((NOW, NOW),))
    built = new_context(*values)
    assert type(built) is DayContext and dataclasses.astuple(built) == values
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.date = date(2026, 11, 17)  # type: ignore[misc]


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
