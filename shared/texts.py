"""Phrases several interfaces share (bot, digest, XLSX): counts with the right plural form."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from babel.units import format_unit

from shared.domain.enums import HalfDay
from shared.errors import NC_, NP_
from shared.i18n import Translator


@dataclass(frozen=True)
class Noun:
    """A counted noun: singular/plural for whole numbers, one fixed form for fractions (CLDR)."""

    forms: tuple[str, str]
    fraction: tuple[str, str]


DAYS = Noun(NP_("{n} day", "{n} days"), NC_("fraction", "{n} days"))
WORKING_DAYS = Noun(NP_("{n} working day", "{n} working days"), NC_("fraction", "{n} working days"))
HOURS = Noun(NP_("{n} hour", "{n} hours"), NC_("fraction", "{n} hours"))
MINUTES = Noun(NP_("{n} minute", "{n} minutes"), NC_("fraction", "{n} minutes"))


def count(t: Translator, noun: Noun, n: int | Decimal) -> str:
    """``n`` with its noun in the right form: "1 день", "2 дня", "5 дней", "1,5 дня"."""
    value = Decimal(n)
    if value == value.to_integral_value():
        whole = int(value)
        return t.ngettext(*noun.forms, whole).format(n=t.format_decimal(whole))
    return t.pgettext(*noun.fraction).format(n=t.format_decimal(value.normalize()))


def unpaid_note(t: Translator, paid: bool) -> str:
    """ " (unpaid)" after a type that is not paid, nothing otherwise."""
    return "" if paid else " " + t("(unpaid)")


def leave_type_choice(
    t: Translator, *, name: str, paid: bool, unlimited: bool, available: Decimal, year: int, noun: Noun = WORKING_DAYS
) -> str:
    """A leave type as the wizard offers it: what is left of it (in days or hours), or that it has no day limit."""
    if unlimited:
        return t("{type}: no day limit", type=name) + unpaid_note(t, paid)
    return t("{type}: {days} left in {year}", type=name, year=year, days=count(t, noun, available)) + (
        unpaid_note(t, paid)
    )


def distance_text(t: Translator, meters: int | float) -> str:
    """A distance as people read it: metres below 1 km ("850 m"), else kilometres ("1.2 km", "504 km")."""
    value = max(0.0, float(meters))
    if value < 1000:
        return format_unit(round(value), "length-meter", length="short", locale=t.locale)
    km = value / 1000
    pattern = "#,##0" if km >= 100 else "#,##0.#"
    return format_unit(km, "length-kilometer", length="short", format=pattern, locale=t.locale)


def half_text(t: Translator, half: HalfDay | None) -> str:
    """The suffix " (morning)" / " (afternoon)" after a date, nothing for a whole day."""
    if half is HalfDay.MORNING:
        return " " + t("(morning)")
    if half is HalfDay.AFTERNOON:
        return " " + t("(afternoon)")
    return ""


def hours_text(t: Translator, ranges: Iterable[tuple[datetime, datetime]], tz: str | None) -> str:
    """Time ranges of hourly leave in the reader's time style and zone: "10:00–12:00, 15:00–16:00"."""
    return t.separator().join(f"{t.format_time(a, tz=tz)}–{t.format_time(b, tz=tz)}" for a, b in ranges)


def absence_when(
    t: Translator,
    *,
    start: date,
    end: date,
    start_half: HalfDay | None = None,
    end_half: HalfDay | None = None,
    hours: tuple[datetime, datetime] | None = None,
    tz: str | None = None,
) -> str:
    """When someone is away, as every list of absences says it: the dates with their halves, or for hourly
    leave the day and the time range (away for those hours, not for the day)."""
    if hours is not None:
        return f"{t.format_date(start, 'medium')}{t.separator()}{hours_text(t, [hours], tz)}"
    first = t.format_date(start, "medium") + half_text(t, start_half)
    if start == end:
        return first
    return f"{first} – {t.format_date(end, 'medium')}{half_text(t, end_half)}"
