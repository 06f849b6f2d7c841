"""Names HR typed, in each reader's language; types with no balance say so."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.leave_policy import is_unlimited
from shared.domain.names import localized_name, translation_problems

LOCALES = ("en", "ru", "ar")


def test_a_reader_sees_the_name_in_their_language_else_the_name_as_typed():
    names = {"ru": "Ежегодный отпуск", "ar": "إجازة سنوية"}
    assert localized_name("Annual leave", names, "ru") == "Ежегодный отпуск"
    assert localized_name("Annual leave", names, "ar") == "إجازة سنوية"
    assert localized_name("Annual leave", names, "en") == "Annual leave"
    assert localized_name("Annual leave", names, "ru-RU") == "Ежегодный отпуск"
    assert localized_name("Annual leave", None, "ru") == "Annual leave"
    assert localized_name("Annual leave", {"ru": "   "}, "ru") == "Annual leave"


@given(
    st.text(min_size=1, max_size=20),
    st.dictionaries(st.sampled_from(LOCALES), st.text(max_size=20)),
    st.sampled_from(LOCALES),
)
def test_a_localized_name_is_never_empty_when_the_name_is_not(name, names, locale):
    if name.strip():
        assert localized_name(name, names, locale).strip()


def test_translations_name_unknown_locales_and_empty_or_long_names():
    assert translation_problems({"ru": "Склад"}, LOCALES) == []
    assert len(translation_problems({"de": "Lager", "ru": "", "ar": "x" * 121}, LOCALES)) == 3


def test_a_type_without_allowance_that_may_go_negative_counts_no_balance():
    assert is_unlimited(yearly_allowance=Decimal(0), negative_allowed=True)
    assert not is_unlimited(yearly_allowance=Decimal(20), negative_allowed=True)
    assert not is_unlimited(yearly_allowance=Decimal(0), negative_allowed=False)
