"""What the company-structure services share: field checks, and one create/update/delete flow.

Every write checks its rules, changes the rows and writes one audit row in the caller's transaction.
Updates take a mapping of the fields to change (``None`` clears an optional field); the merged record
is checked as a whole, so a PATCH that would break a cross-field rule is refused like a create would be.
Problems are raised as ``Invalid`` (with ``details={"field": ...}``), ``NotFound`` or ``Conflict``.

A resource is described once by a :class:`Kind` (model, audit entity, writable fields, "missing"
message, check); :func:`get_row`, :func:`create_row`, :func:`update_row` and :func:`delete_row` do the
rest the same way for every resource.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import N_, Conflict, Invalid, NotFound
from shared.services.actor import Actor
from shared.services.audit import audit, snapshot
from shared.services.pagination import Page, paginate
from shared.services.reference_cache import forget

M = TypeVar("M")
E = TypeVar("E", bound=StrEnum)
Values = Mapping[str, Any]

CODE_PATTERN = r"^[A-Za-z0-9_.\-]{1,32}$"


def invalid(message: str, field: str, /, **params: Any) -> Invalid:
    return Invalid(message, details={"field": field}, **params)


def only(values: Values, allowed: frozenset[str]) -> dict[str, Any]:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise invalid(N_("Field {field} cannot be set here."), unknown[0], field=unknown[0])
    return dict(values)


def apply(row: Any, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        setattr(row, key, value)


def text(row: Any, field: str, *, max_length: int, required: bool = True) -> None:
    value = getattr(row, field)
    if value is None:
        if required:
            raise invalid(N_("{field} is required."), field, field=field)
        return
    value = str(value).strip()
    if not value and required:
        raise invalid(N_("{field} is required."), field, field=field)
    setattr(row, field, value or None)
    if len(value) > max_length or "\x00" in value:
        raise invalid(N_("{field} must be at most {n} characters."), field, field=field, n=max_length)


def translations(row: Any, field: str = "name_translations") -> None:
    """A map of locale to name: supported locales only, each name 1..120 characters (stripped)."""
    from shared.config import SUPPORTED_LOCALES
    from shared.domain.names import translation_problems

    value = getattr(row, field)
    if value is None:
        return
    if not isinstance(value, dict) or translation_problems(value, SUPPORTED_LOCALES):
        raise invalid(
            N_("{field} must map a supported locale ({allowed}) to a name of 1 to 120 characters."),
            field,
            field=field,
            allowed=", ".join(SUPPORTED_LOCALES),
        )
    setattr(row, field, {locale: str(text).strip() for locale, text in value.items()} or None)


def number(row: Any, field: str, *, low: float | None = None, high: float | None = None) -> None:
    value = getattr(row, field)
    if value is None:
        return
    if value != value or (low is not None and value < low) or (high is not None and value > high):
        raise invalid(
            N_("{field} must be between {low} and {high}."),
            field,
            field=field,
            low="-∞" if low is None else low,
            high="∞" if high is None else high,
        )


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA zone of this system (checked against the list, never opened as a path)."""
    return name in _zones()


def timezone(row: Any, field: str = "timezone") -> None:
    value = getattr(row, field)
    if value is not None and not is_timezone(value):
        raise invalid(
            N_("{value} is not an IANA time zone; use a name such as Europe/Berlin."), field, value=str(value)[:64]
        )


def enum(row: Any, field: str, kind: type[E]) -> None:
    try:
        setattr(row, field, kind(getattr(row, field)))
    except ValueError:
        raise invalid(
            N_("{field} must be one of {allowed}."), field, field=field, allowed=", ".join(m.value for m in kind)
        ) from None


async def unique(
    session: AsyncSession, column: Any, candidate: Any, /, *, row_id: int | None, message: str, **params: Any
) -> None:
    """Refuse a duplicate (compared case-insensitively, like the importer matches names and codes)."""
    statement = select(column.class_.id).where(func.lower(column) == str(candidate).lower())
    if row_id is not None:
        statement = statement.where(column.class_.id != row_id)
    if await session.scalar(statement.limit(1)) is not None:
        raise Conflict(message, details={"field": column.key}, **params)


async def unique_name(session: AsyncSession, row: Any, message: str) -> None:
    """Refuse a second row of the same model with the same ``name`` (``message`` takes ``{name}``)."""
    await unique(session, type(row).name, row.name, row_id=row.id, message=message, name=row.name)


async def exists(session: AsyncSession, model: type[Any], row_id: int | None, field: str, message: str) -> None:
    if row_id is not None and (await session.get(model, row_id)) is None:
        raise invalid(message, field, id=row_id)


async def refuse_if_used(session: AsyncSession, uses: Sequence[tuple[Any, tuple[str, str]]], row_id: int) -> None:
    """Refuse to delete a row that others still point at; each use names its own (plural) message."""
    for column, message in uses:
        count = await session.scalar(select(func.count()).where(column == row_id))
        if count:
            raise Conflict(message, n=int(count), id=row_id)


async def check_chain(
    session: AsyncSession, row: Any, parent_field: str, *, loop: str, missing: str, **params: Any
) -> None:
    """Walk up ``row``'s chain of parents (a department's parent, an employee's manager) to the top: refuse a
    chain that comes back to ``row`` (``loop`` with ``params``) or names a row that does not exist (``missing``)."""
    seen = {row.id}
    parent_id = getattr(row, parent_field)
    while parent_id is not None:
        if parent_id in seen:
            raise invalid(loop, parent_field, **params)
        seen.add(parent_id)
        parent = await session.get(type(row), parent_id)
        if parent is None:
            raise invalid(missing, parent_field, id=parent_id)
        parent_id = getattr(parent, parent_field)


async def check_code(session: AsyncSession, row: Any, message: str) -> None:
    """A row's ``code``: required, letters, digits, '-', '_' and '.' only, unique (``message`` takes ``{code}``)."""
    text(row, "code", max_length=32)
    if not re.match(CODE_PATTERN, row.code):
        raise invalid(N_("A code may only use letters, digits, '-', '_' and '.'."), "code")
    await unique(session, type(row).code, row.code, row_id=row.id, message=message, code=row.code)


async def list_rows(session: AsyncSession, statement: Select[Any], *, limit: int, offset: int) -> Page[Any]:
    return await paginate(session, statement, limit=limit, offset=offset)


@dataclass(frozen=True)
class Kind(Generic[M]):
    """One resource of the company structure, as the shared create/update/delete flow needs it."""

    model: type[M]
    entity: str  # the audit log's entity name
    fields: frozenset[str]  # what create and update may set
    missing: str  # "{id} does not exist" message
    check: Callable[[AsyncSession, M], Awaitable[None]]


async def get_row(session: AsyncSession, kind: Kind[M], row_id: int) -> M:
    row = await session.get(kind.model, row_id)
    if row is None:
        raise NotFound(kind.missing, id=row_id)
    return row


async def create_row(session: AsyncSession, actor: Actor, kind: Kind[M], row: M) -> M:
    """Check a new row, add it and audit its creation."""
    await kind.check(session, row)
    session.add(row)
    await session.flush()
    audit(session, actor, "create", kind.entity, row.id, new=snapshot(row))  # type: ignore[attr-defined]
    return row


async def update_row(session: AsyncSession, actor: Actor, kind: Kind[M], row: M, values: Values) -> M:
    """Apply ``values`` (only ``kind.fields``) to ``row``, check the merged row, audit what really changed."""
    before = snapshot(row)
    apply(row, only(values, kind.fields))
    await kind.check(session, row)
    after = snapshot(row)
    if {k: v for k, v in before.items() if k != "updated_at"} != {k: v for k, v in after.items() if k != "updated_at"}:
        audit(session, actor, "update", kind.entity, row.id, old=before, new=after)  # type: ignore[attr-defined]
        forget()  # this process's remembered shifts/offices (other processes wait out the short TTL)
    await session.flush()
    return row


async def delete_row(
    session: AsyncSession,
    actor: Actor,
    kind: Kind[M],
    row: M,
    *,
    unless_used_by: Sequence[tuple[Any, tuple[str, str]]] = (),
) -> None:
    """Delete ``row`` and audit it; refused (409) while a column of ``unless_used_by`` still points at it."""
    await refuse_if_used(session, unless_used_by, row.id)  # type: ignore[attr-defined]
    audit(session, actor, "delete", kind.entity, row.id, old=snapshot(row))  # type: ignore[attr-defined]
    await session.delete(row)
    await session.flush()
    forget()
