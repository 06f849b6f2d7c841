"""Missed-punch corrections: the instant a day and a time mean, what may be asked, who may decide."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from shared.domain.corrections import check_request, correction_instant, decide_violation
from shared.domain.enums import CorrectionStatus
from shared.domain.shift_window import ShiftRule
from shared.errors import Invalid

BERLIN = ZoneInfo("Europe/Berlin")
DAY = ShiftRule(time(9), time(17), id=1)
NIGHT = ShiftRule(time(22), time(6), id=2)
MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def test_a_time_on_a_day_shift_is_that_day():
    assert correction_instant(MONDAY, time(18, 10), DAY, BERLIN) == datetime(2026, 11, 23, 17, 10, tzinfo=UTC)


def test_a_night_shift_check_out_in_the_morning_is_the_next_calendar_day():
    assert correction_instant(MONDAY, time(6, 5), NIGHT, BERLIN) == datetime(2026, 11, 24, 5, 5, tzinfo=UTC)


def test_without_a_shift_the_time_is_on_the_local_day():
    assert correction_instant(MONDAY, time(0, 30), None, BERLIN) == datetime(2026, 11, 22, 23, 30, tzinfo=UTC)


def test_a_request_needs_a_reason_a_past_or_present_day_within_the_lookback():
    instant = datetime(2026, 11, 23, 17, 10, tzinfo=UTC)
    today = date(2026, 11, 24)
    assert check_request(day=MONDAY, instant=instant, reason="  forgot ", today=today, now=NOW, lookback_days=14) == (
        "forgot"
    )
    with pytest.raises(Invalid):
        check_request(day=MONDAY, instant=instant, reason=" ", today=today, now=NOW, lookback_days=14)
    with pytest.raises(Invalid):
        check_request(day=date(2026, 11, 25), instant=instant, reason="x", today=today, now=NOW, lookback_days=14)
    with pytest.raises(Invalid):
        check_request(day=date(2026, 11, 1), instant=instant, reason="x", today=today, now=NOW, lookback_days=14)
    with pytest.raises(Invalid):
        late = datetime(2026, 11, 24, 18, tzinfo=UTC)
        check_request(day=today, instant=late, reason="x", today=today, now=NOW, lookback_days=14)


@pytest.mark.parametrize(
    ("actor", "hr", "status", "expected"),
    [
        (5, False, CorrectionStatus.PENDING, None),  # the approver
        (8, True, CorrectionStatus.PENDING, None),  # HR
        (1, True, CorrectionStatus.PENDING, "own_request"),  # HR, but it is their own
        (7, False, CorrectionStatus.PENDING, "not_approver"),
        (5, False, CorrectionStatus.APPROVED, "already_decided"),
        (None, True, CorrectionStatus.PENDING, None),  # an HR token bound to nobody
    ],
)
def test_the_approver_or_hr_decide_a_pending_correction_never_their_own(actor, hr, status, expected):
    assert decide_violation(actor_id=actor, actor_is_hr=hr, employee_id=1, approver_id=5, status=status) == expected
