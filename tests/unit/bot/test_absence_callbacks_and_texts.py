"""Buttons of the calendar, /whosout and /feed carry only small tokens (decoded strictly), and the month in
words (the picture's caption and its fallback)."""

from __future__ import annotations

from datetime import date

import pytest

from chronos_bot import callbacks
from chronos_bot.handlers.absences import as_text
from shared.domain.absences import Absence, Person, build_month
from shared.domain.enums import HalfDay, LeaveStatus
from shared.i18n import translator


def test_calendar_pages_carry_a_month_and_maybe_a_department() -> None:
    assert callbacks.decode(callbacks.team_calendar(2027, 1)) == callbacks.Callback("team_calendar", month=(2027, 1))
    press = callbacks.decode(callbacks.team_calendar(2026, 12, 42))
    assert press is not None and (press.month, press.number) == ((2026, 12), 42)


@pytest.mark.parametrize(
    "data", ["tc:202613", "tc:2026", "tc:202612:x", "tc:202612:0", "wo:yesterday", "fd:z", "fd:", "fd:ps"]
)
def test_forged_absence_buttons_decode_to_nothing(data: str) -> None:
    assert callbacks.decode(data) is None


def test_period_and_feed_buttons() -> None:
    assert callbacks.decode(callbacks.whos_out_period("nw")) == callbacks.Callback("whos_out", token="next week")
    assert callbacks.decode(callbacks.feed_action("x")) == callbacks.Callback("feed", token="x")
    with pytest.raises(ValueError):
        callbacks.feed_action("everything")


def test_the_month_in_words_lists_each_persons_stretches_and_the_holidays() -> None:
    people = [Person(1, "Alice", "12345"), Person(2, "Bob", "12345"), Person(3, "Carl", "12345")]
    absences = [
        Absence(1, 1, date(2026, 12, 7), date(2026, 12, 9), None, None, LeaveStatus.APPROVED, None),
        Absence(2, 2, date(2026, 12, 14), date(2026, 12, 14), HalfDay.MORNING, None, LeaveStatus.PENDING, None),
    ]
    grid = build_month(year=2026, month=12, title="Ops <December>", people=people, absences=absences,
                       holidays={date(2026, 12, 25): "Christmas"})  # fmt: skip
    text = as_text(translator("en"), grid)
    assert "Ops &lt;December&gt;" in text
    assert "• Alice: 7–9" in text and "• Bob: 14 (morning) (waiting)" in text and "Carl" not in text
    assert "Holidays: 25 Christmas" in text
    assert len(as_text(translator("en"), grid, limit=40)) <= 40
