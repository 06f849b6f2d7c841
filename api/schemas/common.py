"""Shapes every resource shares: pages, errors, and constrained field types.

The field types bound every value to what the columns hold (lengths, ranges, no NUL characters), so bad
input is a 422 with the field named, never a database error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer
from starlette.responses import Response

from shared.domain.bounds import FIRST_DAY, LAST_DAY
from shared.services.pagination import Page as ServicePage

T = TypeVar("T")

MAX_ID = 2**31 - 1


def no_nul(value: str | None) -> str | None:
    """Refuse NUL characters: PostgreSQL cannot store them in text."""
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def Text(max_length: int, *, min_length: int = 1, pattern: str | None = None) -> Any:
    """A stripped string of ``min_length..max_length`` characters without NUL."""
    return Annotated[
        str,
        Field(min_length=min_length, max_length=max_length, pattern=pattern),
        AfterValidator(no_nul),
    ]


def _strip(value: str) -> str:
    return value.strip()


def _naive_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("give a local time of day without a UTC offset, e.g. 09:00")
    return value


DbId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _in_range(value: datetime) -> datetime:
    try:
        day = value.astimezone(UTC).date()
    except OverflowError:
        day = date.min
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError("must be between 2000-01-01 and 2100-12-31")
    return value


def _naive_in_range(value: datetime) -> datetime:
    """Like ``_in_range``, for query parameters where a naive instant means UTC."""
    return _in_range(value if value.tzinfo else value.replace(tzinfo=UTC))


Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY, description="A date between 2000-01-01 and 2100-12-31")]
QueryInstant = Annotated[
    datetime,
    AfterValidator(_naive_in_range),
    Field(description="An instant between 2000-01-01 and 2100-12-31; without a UTC offset it is UTC"),
]
Instant = Annotated[
    AwareDatetime,
    AfterValidator(_in_range),
    Field(description="An instant with its UTC offset, e.g. 2026-11-23T09:02:00+01:00"),
]
LocalTime = Annotated[time, AfterValidator(_naive_time)]
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
TimeZoneName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(no_nul)]


def Days(low: float, high: float) -> Any:
    """A decimal amount of days (or hours) with at most 2 decimals."""
    return Annotated[Decimal, Field(ge=low, le=high, max_digits=7, decimal_places=2, allow_inf_nan=False)]


class Strict(BaseModel):
    """Request bodies: unknown fields are an error (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Patch(Strict):
    """A PATCH body: only the fields sent are changed, ``null`` clears an optional field.

    Fields that cannot be cleared are declared with their plain type and a ``None`` default: leaving
    them out is fine, sending ``null`` is a 422 on that field.
    """

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorDetail(BaseModel):
    field: str | None = None
    line: int | None = None
    message: str


class ErrorInfo(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["Employee 7 does not exist."])
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    error: ErrorInfo
    request_id: str | None = Field(examples=["3f2a9c1e5b7d4e60a1b2c3d4e5f60718"])


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="How many items match, over all pages")
    limit: int
    offset: int

    @classmethod
    def of(cls, page: ServicePage[Any], convert: Callable[[Any], T] | None = None) -> Page[T]:
        item_type = cls.model_fields["items"].annotation.__args__[0]  # type: ignore[union-attr]
        make = convert or item_type.model_validate
        return cls(items=[make(i) for i in page.items], total=page.total, limit=page.limit, offset=page.offset)


def json_answer(model: BaseModel) -> Response:
    """``model`` as the JSON FastAPI would send for it, without FastAPI validating it a second time.

    For hot routes (issue 13): the route builds its answer model itself, so the usual return path would
    validate every field again before serialising. Such a route keeps ``response_model=`` in its decorator
    for the OpenAPI document and returns this; tests/integration/api/test_hot_answers.py checks the bytes
    are the ones FastAPI would produce."""
    return Response(model.__pydantic_serializer__.to_json(model), media_type="application/json")


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error("No token, an unknown token or a revoked token"),
    403: _error("The token's role may not do this"),
    404: _error("Unknown id or route"),
    409: _error("Conflicts with existing data (duplicate, still in use)"),
    422: _error("Invalid input; details name the fields"),
}


def _translations(value: dict[str, str] | None) -> dict[str, str] | None:
    from shared.config import SUPPORTED_LOCALES
    from shared.domain.names import translation_problems

    if value is None:
        return None
    problems = translation_problems(value, SUPPORTED_LOCALES)
    if problems:
        raise ValueError("; ".join(problems))
    for text in value.values():
        no_nul(text)
    return {locale: text.strip() for locale, text in value.items()}


NameTranslations = Annotated[
    dict[str, str],
    Field(
        max_length=8,
        description='The name in other languages, e.g. {"ru": "Ежегодный отпуск", "ar": "إجازة سنوية"}; '
        "each reader sees their language's name, else `name`",
        examples=[{"ru": "Ежегодный отпуск", "ar": "إجازة سنوية"}],
    ),
    AfterValidator(_translations),
]
