"""The attendance heatmap: exceptions counted per (group, day), for a month grid.

A day is an exception when its person was absent, came late, left early, had an incomplete day (a missing
check-in or check-out) or worked only half of it. Pure: rows in, counts out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date

from shared.domain.enums import AttendanceStatus

EXCEPTION_STATUSES = frozenset({AttendanceStatus.ABSENT, AttendanceStatus.INCOMPLETE, AttendanceStatus.HALF_DAY})


@dataclass(frozen=True)
class DayFact:
    group: Hashable
    day: date
    status: AttendanceStatus
    late_minutes: int = 0
    early_exit_minutes: int = 0


def is_exception(fact: DayFact) -> bool:
    return fact.status in EXCEPTION_STATUSES or fact.late_minutes > 0 or fact.early_exit_minutes > 0


@dataclass
class Heatmap:
    days: list[date]
    counts: dict[Hashable, dict[date, int]] = field(default_factory=dict)

    @property
    def peak(self) -> int:
        return max((n for row in self.counts.values() for n in row.values()), default=0)

    def level(self, group: Hashable, day: date) -> int:
        """0 (none) to 4 (the month's peak), for the cell's shade."""
        n = self.counts.get(group, {}).get(day, 0)
        if n == 0 or self.peak == 0:
            return 0
        return max(1, min(4, -(-4 * n // self.peak)))


def build_heatmap(facts: Iterable[DayFact], *, days: list[date], groups: Iterable[Hashable] = ()) -> Heatmap:
    """Exceptions per group per day; ``groups`` are listed even when they have none."""
    counts: dict[Hashable, dict[date, int]] = {g: defaultdict(int) for g in groups}
    for fact in facts:
        row = counts.setdefault(fact.group, defaultdict(int))
        if is_exception(fact):
            row[fact.day] += 1
    return Heatmap(days, {g: dict(row) for g, row in counts.items()})
