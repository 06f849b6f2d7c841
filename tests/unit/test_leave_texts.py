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


def test_an_unpaid_type_with_no_limit_says_so_instead_of_zero_days_left():
    for locale in ("en", "ru", "ar"):
        t = translator(locale)
        text = leave_type_choice(t, name="Unpaid", paid=False, unlimited=True, available=Decimal(0), year=2026)
        assert "0" not in text and t("(unpaid)") in text and t("{type}: no day limit", type="Unpaid") in text
    limited = leave_type_choice(translator("en"), name="Annual", paid=True, unlimited=False, available=Decimal(3),
                                year=2026)  # fmt: skip
    assert limited == "Annual: 3 working days left in 2026"
