"""Joining and leaving: which days someone is employed on, and when their access ends.

Rules decided here:
- ``hire_date`` is the first day employed and ``leaving_date`` the last; either may be unknown (None:
  employed since ever / still employed). Days outside [hire_date, leaving_date] are never processed,
  never reported absent and never counted in a department's head count.
- Access (the bot, the person's API tokens) ends the day after ``leaving_date``, or at once when the
  employee is deactivated (``active`` False).
"""

from __future__ import annotations

from datetime import date


def employed_on(day: date, hire_date: date | None, leaving_date: date | None) -> bool:
    """Whether ``day`` lies within the employment (both ends inclusive)."""
    if hire_date is not None and day < hire_date:
        return False
    return leaving_date is None or day <= leaving_date


def employed_between(first: date, last: date, hire_date: date | None, leaving_date: date | None) -> bool:
    """Whether any day of [first, last] lies within the employment (none when leaving precedes hiring)."""
    start = first if hire_date is None else max(first, hire_date)
    end = last if leaving_date is None else min(last, leaving_date)
    return start <= end


def has_access(active: bool, leaving_date: date | None, today: date) -> bool:
    """Whether the person may still use the bot and their tokens ``today``."""
    return active and (leaving_date is None or today <= leaving_date)
