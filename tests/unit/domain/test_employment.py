"""Employment bounds: which days count and when access ends."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.employment import employed_between, employed_on, has_access

D = date(2026, 12, 3)


def test_a_day_before_the_hire_date_is_not_employed() -> None:
    assert not employed_on(D - timedelta(days=1), D, None)
    assert employed_on(D, D, None)


def test_the_leaving_date_is_the_last_day_employed() -> None:
    assert employed_on(D, None, D)
    assert not employed_on(D + timedelta(days=1), None, D)


def test_unknown_dates_mean_employed_on_every_day() -> None:
    assert employed_on(date(1990, 1, 1), None, None)


def test_access_ends_the_day_after_leaving_and_at_once_when_deactivated() -> None:
    assert has_access(True, D, D)
    assert not has_access(True, D, D + timedelta(days=1))
    assert not has_access(False, None, D)
    assert has_access(True, None, D)


@given(
    first=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    length=st.integers(0, 60),
    hire=st.none() | st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    leaving=st.none() | st.dates(date(2020, 1, 1), date(2030, 12, 31)),
)
def test_a_range_is_employed_exactly_when_one_of_its_days_is(first, length, hire, leaving) -> None:
    last = first + timedelta(days=length)
    days = [first + timedelta(days=i) for i in range(length + 1)]
    assert employed_between(first, last, hire, leaving) == any(employed_on(d, hire, leaving) for d in days)
