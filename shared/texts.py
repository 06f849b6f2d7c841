"""Phrases several interfaces share (bot, digest, XLSX): counts with the right plural form."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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
