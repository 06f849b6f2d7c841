"""Hypothesis strategies for attendance days, shared by the property tests of the classification."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from shared.domain.attendance import DayContext, DayLeave

ZONES = [UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]
FIRST_DAY = date(2026, 10, 22)  # the range covers the European and American fall-back nights


def day_contexts(**fixed: Any) -> st.SearchStrategy[DayContext]:
    """Days among the first five from FIRST_DAY, any work week, holiday and leave; ``fixed`` fields as given."""
    return st.builds(
        DayContext,
        date=st.integers(min_value=0, max_value=4).map(lambda n: FIRST_DAY + timedelta(days=n)),
        work_week=st.sampled_from(["12345", "1234567", "67"]),
        is_holiday=st.booleans(),
        leave=st.none() | st.sampled_from(DayLeave),
        leave_request_id=st.none() | st.just(11),
        **{name: st.just(value) for name, value in fixed.items()},
    )
