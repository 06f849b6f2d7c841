"""Leave texts: the type's name in the reader's language; types with no balance say so."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.domain.enums import LeaveStatus
from shared.i18n import translator
from shared.notify.leave_messages import LeaveView, describe
from shared.texts import leave_type_choice


def test_the_description_names_the_type_in_the_readers_language():
    view = LeaveView(1, "Bob", "Annual leave", date(2026, 12, 7), date(2026, 12, 8), None, None, Decimal(2), None,
                     LeaveStatus.PENDING, type_names={"ru": "Ежегодный отпуск"})  # fmt: skip
    assert "Ежегодный отпуск" in describe(translator("ru"), view)
    assert "Annual leave" in describe(translator("en"), view)


def test_an_hourly_request_names_the_type_in_the_readers_language_and_isolates_its_hours_in_arabic():
    from datetime import UTC, datetime

    hours = (datetime(2026, 12, 7, 13, tzinfo=UTC), datetime(2026, 12, 7, 15, tzinfo=UTC), "UTC")
    view = LeaveView(1, "Bob", "Errand", date(2026, 12, 7), date(2026, 12, 7), None, None, Decimal(2), None,
                     LeaveStatus.PENDING, hours=hours, type_names={"ru": "Личные дела", "ar": "مشوار"})  # fmt: skip
    assert "Личные дела" in describe(translator("ru"), view) and "13:00–15:00" in describe(translator("ru"), view)
    assert "Errand" in describe(translator("en"), view)
    arabic = describe(translator("ar"), view)
    assert "مشوار" in arabic and "، \u2068" in arabic, "the Arabic comma, then the hours in an isolate"


def test_an_unpaid_type_with_no_limit_says_so_instead_of_zero_days_left():
    for locale in ("en", "ru", "ar"):
        t = translator(locale)
        text = leave_type_choice(t, name="Unpaid", paid=False, unlimited=True, available=Decimal(0), year=2026)
        assert "0" not in text and t("(unpaid)") in text and t("{type}: no day limit", type="Unpaid") in text
    limited = leave_type_choice(translator("en"), name="Annual", paid=True, unlimited=False, available=Decimal(3),
                                year=2026)  # fmt: skip
    assert limited == "Annual: 3 working days left in 2026"
