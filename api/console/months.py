"""A month the console shows (``?month=YYYY-MM``, default the current one) and its days."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from shared.domain.timesheet import parse_month


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str | None, today: date) -> Month:
        if not text:
            return cls(today.year, today.month)
        year, month = parse_month(text)  # 422 with a clear message when malformed
        return cls(year, month)

    @property
    def days(self) -> list[date]:
        return [date(self.year, self.month, d) for d in range(1, calendar.monthrange(self.year, self.month)[1] + 1)]

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return self.days[-1]

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def previous(self) -> str:
        return f"{self.year - 1:04d}-12" if self.month == 1 else f"{self.year:04d}-{self.month - 1:02d}"

    @property
    def next(self) -> str:
        return f"{self.year + 1:04d}-01" if self.month == 12 else f"{self.year:04d}-{self.month + 1:02d}"
