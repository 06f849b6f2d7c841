"""The one range of dates Chronos accepts as input, everywhere (API, bot, CLI): 2000-01-01 .. 2100-12-31.

Devices count years from 2000 (the ZK clock), nothing in an HR system is about the year 1 or 9999, and
one range for every input means no date can overflow a column or a computation downstream.
"""

from __future__ import annotations

from datetime import date

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def in_bounds(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY
