"""Punch corrections in the HR digest: listed once each, sorted, and never a quiet day."""

from __future__ import annotations

from datetime import UTC, date, datetime

from shared.domain.digest import CorrectionRow, build_digest
from shared.domain.enums import CorrectionStatus, Direction
from shared.i18n import translator
from shared.reports.digest_render import render_digest

DAY = date(2026, 11, 19)


def _row(correction_id: int, name: str, status: CorrectionStatus, by: str | None = None) -> CorrectionRow:
    return CorrectionRow(
        correction_id, correction_id, name, DAY, Direction.OUT, datetime(2026, 11, 19, 17, 10, tzinfo=UTC), status, by
    )


def test_a_day_with_only_a_correction_is_not_quiet_and_each_correction_is_listed_once():
    rows = [_row(2, "Zoe", CorrectionStatus.PENDING), _row(1, "Bob", CorrectionStatus.APPROVED, "Max")]
    digest = build_digest(date=DAY, results=[], employees={}, corrections=rows + rows[:1])
    assert not digest.is_quiet
    assert [c.full_name for c in digest.corrections] == ["Bob", "Zoe"]


def test_the_digest_says_who_approved_and_what_still_waits():
    rows = [_row(1, "Bob", CorrectionStatus.APPROVED, "Max"), _row(2, "Zoe", CorrectionStatus.PENDING)]
    text = render_digest(translator("en"), build_digest(date=DAY, results=[], employees={}, corrections=rows), tz="UTC")
    assert "Punch corrections" in text
    assert "Bob — " in text and "check-out at 5:10" in text and "approved by Max" in text
    assert "Zoe — " in text and "waiting for approval" in text
