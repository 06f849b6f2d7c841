"""The exception hierarchy every layer raises and every edge translates.

A ``ChronosError`` carries an untranslated message id (marked with ``N_`` so Babel extracts it) and
named parameters; the bot and the API render it in the user's language with :meth:`render`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Protocol


class _Translator(Protocol):
    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction; pass the pair as a ChronosError message with ``n=``."""
    return singular, plural


def NC_(context: str, message: str) -> tuple[str, str]:
    """Mark a message with a disambiguating context (looked up with ``pgettext``)."""
    return context, message


def _localized(translator: Any, value: Any) -> Any:
    """Dates, times and numbers in the reader's format when the translator can format them (shared.i18n's can)."""
    if isinstance(value, datetime) and hasattr(translator, "format_datetime"):
        return translator.format_datetime(value, "medium")
    if isinstance(value, date) and hasattr(translator, "format_date"):
        return translator.format_date(value, "medium")
    if isinstance(value, time) and hasattr(translator, "format_time"):
        return translator.format_time(value)
    if isinstance(value, Decimal) and hasattr(translator, "format_decimal"):
        return translator.format_decimal(value.normalize())
    return value


class ChronosError(Exception):
    """Base of every error a user or operator may see."""

    code = "error"
    status = 400

    def __init__(
        self,
        message: str | tuple[str, str],
        /,
        *,
        plural: str | None = None,
        n: int | None = None,
        details: dict[str, Any] | None = None,
        **params: Any,
    ) -> None:
        if isinstance(message, tuple):
            message, plural = message
        super().__init__(message)
        self.message = message
        self.plural = plural
        self.n = n
        self.params = params
        self.details = details or {}

    def render(self, translator: _Translator) -> str:
        """The message in the translator's language with its parameters filled in."""
        if self.plural is not None and self.n is not None:
            text = translator.ngettext(self.message, self.plural, self.n)
        else:
            text = translator.gettext(self.message)
        params = {key: _localized(translator, value) for key, value in self.params.items()}
        if self.n is not None:
            params.setdefault("n", self.n)
        try:
            rendered = text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
        for value in params.values():  # "… по 28 дек. 2026 г.." → one full stop
            if isinstance(value, str) and value.endswith("."):
                rendered = rendered.replace(value + ".", value)
        return rendered

    def __str__(self) -> str:
        try:
            return self.message.format(n=self.n, **self.params)
        except (KeyError, IndexError, ValueError):
            return self.message


class NotFound(ChronosError):
    code = "not_found"
    status = 404


class Forbidden(ChronosError):
    code = "forbidden"
    status = 403


class Conflict(ChronosError):
    code = "conflict"
    status = 409


class Invalid(ChronosError):
    code = "invalid"
    status = 422
