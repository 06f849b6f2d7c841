"""One date and time style per locale (CLDR), isolated in right-to-left text; lists joined the locale's way."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sandbox.telegram.entities import detect_entities
from shared.i18n import FSI, PDI, translator

DAY = date(2026, 12, 3)
AT = datetime(2026, 12, 3, 3, 21, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "day", "moment"),
    [
        ("en", "Dec 3, 2026", "Dec 3, 2026, 3:21\u202fAM"),
        ("ru", "3 дек. 2026\u202fг.", "3 дек. 2026\u202fг., 03:21"),
    ],
)
def test_a_date_and_a_date_time_have_one_style_whatever_style_the_caller_asked(locale, day, moment):
    t = translator(locale)
    assert t.format_date(DAY) == t.format_date(DAY, "short") == t.format_date(DAY, "medium") == day
    assert t.format_datetime(AT, "short", tz="UTC") == t.format_datetime(AT, "medium", tz="UTC") == moment


def test_arabic_dates_use_the_month_name_no_slashes_and_are_isolated():
    t = translator("ar")
    text = t.format_date(DAY)
    assert text.startswith(FSI) and text.endswith(PDI)
    assert "/" not in text and "ديسمبر" in text
    moment = t.format_datetime(AT, tz="UTC")
    assert moment.startswith(FSI) and moment.endswith(PDI) and "/" not in moment and "،" in moment
    assert t.format_time(AT, tz="UTC").startswith(FSI)


def test_left_to_right_locales_get_no_isolates():
    for locale in ("en", "ru"):
        assert FSI not in translator(locale).format_date(DAY) + translator(locale).format_datetime(AT, tz="UTC")


def test_arabic_summaries_use_the_arabic_comma_and_list_pattern():
    t = translator("ar")
    assert t.separator() == "، " and "," not in t.join(["أ", "ب", "ج"])
    assert translator("en").join(["a", "b", "c"]) == "a, b, and c"


def test_the_skip_button_and_the_prompt_spell_skip_alike_in_arabic():
    t = translator("ar")
    assert t("Skip") == "تخطَّ"
    assert "تخطَّ" in t.gettext("Add a short reason for your manager (just type it), or skip.")


@pytest.mark.parametrize(
    ("text", "commands"),
    [
        ("Use /leave now", ["/leave"]),
        ("/start ABC", ["/start"]),
        ("until 2027/01/15", []),
        ("حتى \u206815\u200f/01\u200f/2027\u2069", []),
        ("see (/help)", ["/help"]),
        ("a/b and path/to", []),
    ],
)
def test_only_a_slash_at_the_start_of_a_word_makes_a_command_as_in_telegram(text, commands):
    found = [text[e["offset"] : e["offset"] + e["length"]] for e in detect_entities(text) if e["type"] == "bot_command"]
    assert found == commands


@pytest.mark.parametrize(
    ("locale", "meters", "text"),
    [("en", 65, "65 m"), ("en", 1100, "1.1 km"), ("en", 504_321, "504 km"), ("ru", 1100, "1,1 км")],
)
def test_a_distance_is_in_metres_below_one_kilometre_and_in_kilometres_above(locale, meters, text):
    from shared.texts import distance_text

    assert distance_text(translator(locale), meters) == text


@pytest.mark.parametrize(
    ("locale", "month"), [("en", "December 2026"), ("ru", "декабрь 2026\u202fг."), ("ar", f"{FSI}ديسمبر 2026{PDI}")]
)
def test_a_month_has_the_locales_one_style(locale, month):
    assert translator(locale).format_month(2026, 12) == month


def test_an_error_shows_its_dates_and_times_in_the_readers_style_never_iso():
    from datetime import time

    from shared.errors import N_, Invalid

    error = Invalid(N_("{time} does not belong to the shift of {date}; pick the day the punch belongs to."),
                    time=time(13, 5), date=DAY)  # fmt: skip
    assert error.render(translator("en")).startswith("1:05\u202fPM does not belong to the shift of Dec 3, 2026")
    assert error.render(translator("ru")).startswith("13:05 ")
    arabic = error.render(translator("ar"))
    assert f"{FSI}3 ديسمبر 2026{PDI}" in arabic and "13:05" not in arabic and "2026-12-03" not in arabic


def test_a_team_violation_and_a_digest_correction_use_the_arabic_comma():
    from chronos_bot.handlers.team import _violation_line
    from shared.domain.compliance import RuleCode
    from shared.domain.digest_sections import CorrectionRow
    from shared.domain.enums import CorrectionStatus, Direction
    from shared.reports.digest_render import _correction_line
    from shared.services.notify.team import TeamViolation

    t = translator("ar")
    line = _violation_line(t, TeamViolation("Bob", RuleCode.DAILY_HOURS, DAY, DAY, 40))
    assert f"، {FSI}" in line and f", {FSI}" not in line
    row = CorrectionRow(1, 2, "Bob", DAY, Direction.IN, AT, CorrectionStatus.PENDING)
    assert f"{PDI}، " in _correction_line(t, row, "UTC")
