"""Catalogs load for real, plurals follow each language's rules, Telegram codes negotiate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shared import i18n
from shared.errors import NP_, Invalid, NotFound
from shared.i18n import CatalogMissing, negotiate_locale, translator
from shared.texts import DAYS, WORKING_DAYS, count


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("ar-SA", "ar"),
        ("ar_EG", "ar"),
        ("en-GB", "en"),
        ("pt-BR", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_telegram_language_codes_negotiate_to_a_supported_locale(code, expected):
    assert negotiate_locale(code, "en") == expected


def test_an_unsupported_language_falls_back_to_the_configured_default():
    assert negotiate_locale("pt-BR", "ru") == "ru"


@pytest.mark.parametrize(
    ("n", "text"), [(1, "1 день"), (2, "2 дня"), (5, "5 дней"), (21, "21 день"), (11, "11 дней"), (104, "104 дня")]
)
def test_russian_plurals_follow_the_one_few_many_rule(n, text):
    assert count(translator("ru"), DAYS, n) == text


def test_a_fractional_count_takes_the_fraction_form_in_russian():
    assert count(translator("ru"), WORKING_DAYS, Decimal("1.5")) == "1,5 рабочего дня"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 يوم"),
        (1, "يوم واحد"),
        (2, "يومان"),
        (3, "3 أيام"),
        (10, "10 أيام"),
        (11, "11 يومًا"),
        (99, "99 يومًا"),
        (100, "100 يوم"),
    ],
)
def test_arabic_has_six_plural_forms(n, text):
    assert count(translator("ar"), DAYS, n) == text


def test_english_plurals():
    t = translator("en")
    assert [count(t, DAYS, n) for n in (1, 2, Decimal("0.5"))] == ["1 day", "2 days", "0.5 days"]


@pytest.mark.parametrize("locale", ["en", "ru", "ar"])
def test_every_catalog_really_loads(locale):
    loaded = i18n.load_translations(locale)
    assert type(loaded).__name__ == "Translations"
    assert loaded.files, "catalog has no file behind it"


def test_a_missing_catalog_fails_loudly(tmp_path, monkeypatch):
    monkeypatch.setenv("CHRONOS_TRANSLATIONS_DIR", str(tmp_path))
    i18n.load_translations.cache_clear()
    try:
        with pytest.raises(CatalogMissing, match="make i18n"):
            i18n.load_translations("ru")
    finally:
        monkeypatch.delenv("CHRONOS_TRANSLATIONS_DIR")
        i18n.load_translations.cache_clear()


def test_an_unsupported_locale_is_an_error_not_english():
    with pytest.raises(CatalogMissing):
        i18n.load_translations("de")


def test_errors_render_in_the_users_language():
    err = NotFound("Employee {id} does not exist.", id=7)
    assert err.render(translator("ru")) == "Сотрудника 7 не существует."
    assert err.render(translator("en")) == "Employee 7 does not exist."
    assert err.status == 404


def test_plural_errors_pick_the_form_for_n():
    err = Invalid(NP_("{n} day", "{n} days"), n=5)
    assert err.render(translator("ru")) == "5 дней"


def test_dates_and_numbers_are_formatted_per_locale():
    from datetime import date

    assert translator("ru").format_decimal(Decimal("1234.5")) == "1\xa0234,5"
    assert "ноября" in translator("ru").format_date(date(2026, 11, 21), "long")
    assert translator("ru").month_name(11) == "ноябрь"
    assert translator("ar").rtl and not translator("en").rtl
    assert translator("en").weekday_names()[0] == "Mo"
    assert translator("en").weekday_names("abbreviated")[6] == "Sun"
