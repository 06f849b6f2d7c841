"""Internationalisation with Babel: locale negotiation, gettext/ngettext per locale, dates and numbers.

Catalogs live in ``translations/<locale>/LC_MESSAGES/messages.po`` and are compiled to ``.mo`` by
``make i18n`` / ``make install``. A catalog that did not load is an error, never a silent fallback:
Babel's ``Translations.load`` would quietly return ``NullTranslations`` and show English to everyone.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel import Locale, dates, lists, numbers
from babel.support import Translations

from shared.config import SUPPORTED_LOCALES

DOMAIN = "messages"
RTL_LOCALES = frozenset({"ar"})
FSI, PDI = "\u2068", "\u2069"  # first strong isolate … pop directional isolate
DATE_SKELETON = "yMMMd"
MONTH_SKELETON = "yMMMM"


def translations_dir() -> Path:
    override = os.environ.get("CHRONOS_TRANSLATIONS_DIR")
    return Path(override) if override else Path(__file__).resolve().parent.parent / "translations"


class CatalogMissing(RuntimeError):
    """A compiled catalog is absent: run `make i18n` (or `make install`)."""


@functools.lru_cache(maxsize=512)  # asked on every update of a user without a stored locale; Babel is slow
def negotiate_locale(language_code: str | None, default: str = "en") -> str:
    """Map a Telegram ``language_code`` (``ru``, ``ru-RU``, ``pt-BR``, ``ar_SA``) to a supported locale."""
    if not language_code:
        return default
    code = language_code.replace("_", "-").strip()
    found = Locale.negotiate([code, code.split("-")[0]], list(SUPPORTED_LOCALES), sep="-")
    return str(found) if found else default


@functools.cache
def load_translations(locale: str) -> Translations:
    """The compiled catalog of ``locale``; raises CatalogMissing instead of falling back."""
    if locale not in SUPPORTED_LOCALES:
        raise CatalogMissing(f"locale {locale!r} is not supported; supported: {SUPPORTED_LOCALES}")
    mo = translations_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.is_file():
        raise CatalogMissing(f"compiled catalog {mo} is missing; run `make i18n`")
    loaded = Translations.load(str(translations_dir()), [locale], DOMAIN)
    if not isinstance(loaded, Translations):
        raise CatalogMissing(f"catalog {mo} did not load")
    return loaded


@dataclass(frozen=True)
class Translator:
    """Everything locale-specific a handler needs, bound to one locale."""

    locale: str

    @property
    def _t(self) -> Translations:
        return load_translations(self.locale)

    @property
    def babel_locale(self) -> Locale:
        return Locale.parse(self.locale)

    @property
    def rtl(self) -> bool:
        return self.locale in RTL_LOCALES

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return str(self._t.pgettext(context, message))

    def __call__(self, message: str, **params: object) -> str:
        text = self._t.gettext(message)
        return text.format(**params) if params else text

    def plural(self, singular: str, plural: str, n: int, **params: object) -> str:
        return self._t.ngettext(singular, plural, n).format(n=n, **params)

    def isolate(self, text: str) -> str:
        """``text`` wrapped in Unicode isolates (FSI … PDI) in a right-to-left locale, so that a date, a time or a
        name with Latin letters and digits keeps its own direction inside Arabic text and is not scrambled."""
        return f"{FSI}{text}{PDI}" if self.rtl else text

    def format_date(self, value: date, fmt: str = "medium", *, isolate: bool = True) -> str:
        """The one date style of the locale: ``full`` (with the weekday) or the medium style with the month's name
        (CLDR's ``yMMMd``: "Dec 3, 2026", "3 дек. 2026 г.", "3 ديسمبر 2026"); numeric styles are not used."""
        if fmt in ("full", "long"):
            text = dates.format_date(value, format=fmt, locale=self.locale)
        else:
            text = dates.format_skeleton(DATE_SKELETON, value, locale=self.locale)
        return self.isolate(text) if isolate else text

    def format_month(self, year: int, month: int, *, isolate: bool = True) -> str:
        """A month of a year in the locale's style (CLDR's ``yMMMM``: "December 2026", "декабрь 2026 г.",
        "ديسمبر 2026")."""
        text = dates.format_skeleton(MONTH_SKELETON, date(year, month, 1), locale=self.locale)
        return self.isolate(text) if isolate else text

    def format_datetime(
        self, value: datetime, fmt: str = "medium", tz: str | None = None, *, isolate: bool = True
    ) -> str:
        """The date in its one style and the time in the locale's short style, joined as CLDR joins them."""
        local = value.astimezone(_zone(tz)) if tz and value.tzinfo else value
        day = self.format_date(local.date(), "full" if fmt == "full" else "medium", isolate=False)
        clock = dates.format_time(local, format="short", locale=self.locale)
        text = str(dates.get_datetime_format("medium", locale=self.locale)).replace("{1}", day).replace("{0}", clock)
        return self.isolate(text) if isolate else text

    def format_time(
        self, value: time | datetime, fmt: str = "short", tz: str | None = None, *, isolate: bool = True
    ) -> str:
        text = dates.format_time(value, format="short", tzinfo=_zone(tz), locale=self.locale)
        return self.isolate(text) if isolate else text

    def join(
        self, items: list[str], style: Literal["standard", "unit", "unit-short", "unit-narrow"] = "standard"
    ) -> str:
        """Items joined as the locale joins a list ("a, b and c", "а, б и в", "أ وب وج" — never a Latin comma
        in Arabic)."""
        return lists.format_list(items, style=style, locale=self.locale) if items else ""

    def separator(self) -> str:
        """The locale's comma between items of an inline summary ("، " in Arabic)."""
        return "، " if self.locale == "ar" else ", "

    def format_decimal(self, value: Decimal | float | int) -> str:
        return numbers.format_decimal(value, locale=self.locale)

    def month_name(self, month: int, width: Literal["abbreviated", "narrow", "wide"] = "wide") -> str:
        return str(dates.get_month_names(width, context="stand-alone", locale=self.locale)[month])

    def weekday_names(self, width: Literal["abbreviated", "narrow", "short", "wide"] = "short") -> list[str]:
        """Monday first, as ``date.weekday()`` counts."""
        names = dates.get_day_names(width, context="stand-alone", locale=self.locale)
        return [str(names[i]) for i in range(7)]

    def format_duration_minutes(self, minutes: int) -> str:
        hours, mins = divmod(max(0, minutes), 60)
        return self.gettext("{hours} h {minutes:02d} min").format(hours=hours, minutes=mins)


def _zone(name: str | None) -> ZoneInfo | None:
    return ZoneInfo(name) if name else None


@functools.cache
def translator(locale: str) -> Translator:
    load_translations(locale)
    return Translator(locale)
