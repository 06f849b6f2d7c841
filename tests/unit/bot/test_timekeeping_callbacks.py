"""Callback data of corrections, overtime and lateness: decoded strictly; typed times; messages per locale."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from chronos_bot import callbacks
from chronos_bot.handlers.corrections import parse_time
from shared.domain.enums import CorrectionStatus, Direction
from shared.notify import timekeeping_messages as msg


@pytest.mark.parametrize(
    ("data", "kind", "fields"),
    [
        ("cr:a:17", "correction", {"request_id": 17, "approve": True}),
        ("cr:r:17", "correction", {"request_id": 17, "approve": False}),
        ("cf:d:20261123", "correct_day", {"day": date(2026, 11, 23)}),
        ("cf:out", "correct_direction", {"token": "out"}),
        ("cf:x", "correct_stop", {}),
        ("ot:a:5:20261116", "overtime", {"employee_id": 5, "day": date(2026, 11, 16), "approve": True}),
        ("lw:9", "waive", {"number": 9}),
    ],
)
def test_the_bots_own_buttons_decode(data, kind, fields):
    press = callbacks.decode(data)
    assert press is not None and press.kind == kind
    assert all(getattr(press, k) == v for k, v in fields.items())


@pytest.mark.parametrize(
    "data", ["cr:x:1", "cr:a:0", "cr:a:abc", "cf:d:20261340", "cf:sideways", "ot:a:5:20261117", "ot:a:0:20261116",
             "ot:q:5:20261116", "lw:-1", "lw:"],
)  # fmt: skip
def test_forged_or_malformed_data_decodes_to_nothing(data):
    assert callbacks.decode(data) is None


def test_a_weeks_button_must_name_a_monday():
    assert callbacks.decode(msg.overtime_callback("a", 3, date(2026, 11, 16))) is not None


@pytest.mark.parametrize(("text", "expected"), [("18:10", time(18, 10)), ("8.05", time(8, 5)), ("1810", time(18, 10)),
                                                 ("24:00", None), ("18:60", None), ("soon", None), ("", None)])  # fmt: skip
def test_typed_times_are_understood_or_refused(text, expected):
    assert parse_time(text) == expected


VIEW = msg.CorrectionView(
    3, "Bob", date(2026, 11, 23), Direction.OUT, datetime(2026, 11, 23, 17, 10, tzinfo=UTC), "forgot",
    CorrectionStatus.PENDING, "Europe/Berlin",
)  # fmt: skip


@pytest.mark.parametrize(
    ("locale", "needle"), [("en", "Missed-punch correction"), ("ru", "Исправление"), ("ar", "تصحيح")]
)
def test_the_approver_reads_the_correction_in_their_language_with_both_buttons(locale, needle):
    text, keyboard = msg.correction_request(locale, VIEW)
    assert needle in text and ("6:10" in text or "18:10" in text)
    assert [b.callback_data for b in keyboard[0]] == ["cr:a:3", "cr:r:3"]


@pytest.mark.parametrize(("locale", "needle"), [("en", "late 3 times"), ("ru", "опоздали 3 раза"), ("ar", "مرات")])
def test_the_lateness_notice_is_plural_aware(locale, needle):
    days = [date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)]
    assert needle in msg.lateness_for_employee(locale, days, Decimal("0.5"), "Annual leave")
