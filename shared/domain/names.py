"""Names HR types in (leave types, departments) in each reader's language.

A name has its own text (``name``, the one HR typed first) and optional translations per locale
(``{"ru": "Ежегодный отпуск", "ar": "إجازة سنوية"}``). A reader sees the translation of their locale,
else the name itself.
"""

from __future__ import annotations

from collections.abc import Mapping

MAX_NAME_LENGTH = 120


def localized_name(name: str, translations: Mapping[str, str] | None, locale: str) -> str:
    """The name in ``locale`` (``ru`` also matches a translation under ``ru-RU``), else the name as typed."""
    if not translations:
        return name
    found = translations.get(locale) or translations.get(locale.split("-")[0].split("_")[0])
    return found.strip() if found and found.strip() else name


def translation_problems(translations: Mapping[str, object], locales: tuple[str, ...]) -> list[str]:
    """What is wrong with a map of translations: unknown locales, empty or over-long names."""
    problems = []
    for locale, text in translations.items():
        if locale not in locales:
            problems.append(f"{locale!r} is not a supported locale; use one of {', '.join(locales)}")
        elif not isinstance(text, str) or not text.strip():
            problems.append(f"the {locale} name is empty")
        elif len(text.strip()) > MAX_NAME_LENGTH:
            problems.append(f"the {locale} name is longer than {MAX_NAME_LENGTH} characters")
    return problems
