"""The bot in Russian and Arabic.

Two kinds of assertions live here:

* CLDR (Babel) parts — month names, weekday names, formatted dates — pass whatever the catalogs hold;
* **CATALOG-DEPENDENT** ones (the tests named ``..._catalog_dependent``) compare the bot's labels with the
  compiled ru/ar catalogs *and* require them to differ from English. They fail until the translation
  pass (``make i18n`` + translating ``translations/{ru,ar}/LC_MESSAGES/messages.po``) fills these msgids:
  the menu labels of ``chronos_bot/texts.py`` (``MENU_LABELS``), "Here is what I can do for you:",
  "Which kind of leave?", "Pick the first day of your leave:" and the plural "{n} working day(s)".
"""

from __future__ import annotations

from datetime import date

import pytest
from babel.dates import format_date, format_skeleton, get_day_names
from sqlalchemy import update

from chronos_bot.keyboards import menu_rows
from chronos_bot.texts import MENU_LABELS
from shared.domain.enums import Role
from shared.i18n import translator
from shared.model import Employee
from shared.texts import WORKING_DAYS, count
from tests.e2e.bot.conftest import next_monday
from tests.e2e.bot.harness import ALICE, BOB, Harness, has, with_button

pytestmark = pytest.mark.e2e


def _cldr_month(locale: str, year: int, month: int) -> str:
    """CLDR's month-and-year (``yMMMM``): "December 2026", "декабрь 2026 г."."""
    return str(format_skeleton("yMMMM", date(year, month, 1), locale=locale))


def _cldr_weekdays(locale: str) -> list[str]:
    names = get_day_names("short", context="stand-alone", locale=locale)
    return [str(names[i]) for i in range(7)]


async def _set_locale(h: Harness, employee_id: int, locale: str) -> None:
    async with h.db.transaction() as session:
        await session.execute(update(Employee).where(Employee.id == employee_id).values(locale=locale))


async def _calendar(h: Harness, user: int) -> dict:
    types = await h.send(user, "/leave", with_button("lt:"))
    annual = next(d for row in types["buttons"] for d in [b["callback_data"] for b in row] if d.startswith("lt:"))
    await h.press(user, data=annual, message_id=types["message_id"])
    return await h.wait_for_latest(user, with_button("cal:d:"))


@pytest.mark.parametrize(("user", "locale"), [(ALICE, "ru"), (BOB, "ar")])
async def test_the_calendar_uses_cldr_month_and_weekday_names(h: Harness, user: int, locale: str) -> None:
    if user == BOB:
        await _set_locale(h, h.company.bob_id, locale)
    calendar = await _calendar(h, user)

    title = calendar["buttons"][0][1]["text"]
    weekdays = [b["text"] for b in calendar["buttons"][1]]
    assert title == _cldr_month(locale, h.today.year, h.today.month)
    assert weekdays == _cldr_weekdays(locale)
    days = [b["text"] for row in calendar["buttons"][2:-1] for b in row if b["text"].strip()]
    assert any(d.lstrip("[").startswith("•") for d in days)  # weekends are marked as days off


async def test_dates_in_the_russian_summary_are_formatted_by_cldr(h: Harness) -> None:
    day = next_monday(h.today)
    await _calendar(h, ALICE)
    await h.pick_date(ALICE, day)
    await h.wait_for(ALICE, with_button("lf:same"))
    await h.press(ALICE, data="lf:same")
    await h.press_then(ALICE, with_button("lf:skip"), data="hd:f")
    summary = await h.press_then(ALICE, with_button("lf:ok"), data="lf:skip")

    assert format_date(day, "medium", locale="ru") in summary["text"]


@pytest.mark.parametrize(("user", "locale"), [(ALICE, "ru"), (BOB, "ar")])
async def test_the_main_menu_is_translated_catalog_dependent(h: Harness, user: int, locale: str) -> None:
    if user == BOB:
        await _set_locale(h, h.company.bob_id, locale)
    t = translator(locale)

    reply = await h.send(user, "/help", lambda m: bool(m.get("keyboard")))

    labels = [b["text"] for row in reply["keyboard"] for b in row]
    expected = [t.gettext(MENU_LABELS[a]) for row in menu_rows(Role.EMPLOYEE) for a in row]
    english = [MENU_LABELS[a] for row in menu_rows(Role.EMPLOYEE) for a in row]
    assert labels == expected
    assert labels != english, f"the {locale} catalog has no translations of the menu labels yet"
    assert t("Here is what I can do for you:") in reply["text"]
    assert t("Here is what I can do for you:") != "Here is what I can do for you:"


@pytest.mark.parametrize(("user", "locale"), [(ALICE, "ru"), (BOB, "ar")])
async def test_the_leave_flow_questions_are_translated_catalog_dependent(h: Harness, user: int, locale: str) -> None:
    if user == BOB:
        await _set_locale(h, h.company.bob_id, locale)
    t = translator(locale)

    types = await h.send(user, "/leave", with_button("lt:"))
    assert types["text"] == t("Which kind of leave?") != "Which kind of leave?"
    assert any(count(t, WORKING_DAYS, 20) in b["text"] for row in types["buttons"] for b in row)
    assert count(t, WORKING_DAYS, 2) != "2 working days"
    await h.press(user, data=types["buttons"][0][0]["callback_data"], message_id=types["message_id"])
    await h.wait_for(user, has(t("Pick the first day of your leave:")))
    assert t("Pick the first day of your leave:") != "Pick the first day of your leave:"
