"""The bot's own punch (check-in / check-out from Telegram) in as few round trips as correctness allows.

``record_punch`` in a transaction costs five PostgreSQL round trips per punch (``BEGIN``, the punches read,
the punch insert, the audit insert, ``COMMIT``) and the ORM's flush machinery around them. On PostgreSQL
with asyncpg the usual punch is **one statement** on the driver, outside any transaction
(:data:`READ_AND_STORE`): it reads the punches around the new one and, in the same snapshot, inserts the
punch and its audit row (data-modifying CTEs: atomic on their own) unless a punch lies within 2 minutes of
it or, for a check-in, the latest punch before it is a check-out. What comes back is what the insert was
decided on, so the person is told exactly what ``record_punch`` would tell them.

A check-in after a check-out needs the rest rules first: the statement stores nothing, the rules are read,
and without a warning :data:`STORE` writes the punch and its audit row in one statement, again only if no
punch lies within 2 minutes by then (a punch stored in between, by HR or a device, is seen: at READ
COMMITTED the transaction saw no more). Whenever a punch needs more than that, it takes ``record_punch`` in
one transaction, as before, so that nothing it writes can be half done: a punch on a past shift day (its
daily row is re-processed with it), a check-in that breaks the daily rest (the manager's warning is queued
in the outbox with the punch), a write that found a punch stored meanwhile (reported as the duplicate).
SQLite always takes that way (the punch and its audit row are two statements there).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    String,
    and_,
    bindparam,
    cast,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)

from shared.domain.enums import Direction, PunchSource
from shared.domain.punches import DUPLICATE_WINDOW, PunchFact
from shared.log import request_id_var
from shared.model import AuditLog, Employee, Punch
from shared.model.base import utcnow
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.attendance.punches import (
    PunchOutcome,
    PunchPlan,
    nearby_and_previous,
    new_punch,
    outcome_of,
    plan_punch,
    record_punch,
)
from shared.services.audit import snapshot
from shared.services.compliance.rest import rest_warning

_COLUMNS = (Punch.instant, Punch.direction, Punch.source)
_EMPLOYEE = bindparam("employee_id", type_=Punch.employee_id.type)
_BETWEEN = select(*_COLUMNS, true().label("inside")).where(
    Punch.employee_id == _EMPLOYEE,
    Punch.instant >= bindparam("lower", type_=Punch.instant.type),
    Punch.instant < bindparam("upper", type_=Punch.instant.type),
)
_BEFORE = (
    select(*_COLUMNS, false().label("inside"))
    .where(Punch.employee_id == _EMPLOYEE, Punch.instant < bindparam("lower", type_=Punch.instant.type))
    .order_by(Punch.instant.desc())
    .limit(1)
)
AROUND = union_all(_BETWEEN, _BEFORE.subquery().select())
"""The punches in [lower, upper) and the latest one before ``lower``: one statement, compiled once."""

_STORED = ("employee_id", "source", "instant", "direction", "latitude", "longitude", "distance_m",
           "inside_geofence", "note", "created_by", "created_at")  # fmt: skip


def _typed_as(column: Any, name: str) -> Any:
    """A parameter cast to the column's type (PostgreSQL infers nothing from an ``INSERT … SELECT $1``)."""
    return cast(bindparam(name, type_=column.type), column.type)


def _typed(name: str) -> Any:
    return _typed_as(Punch.__table__.c[name], name)


_NEARBY = exists().where(
    Punch.employee_id == _EMPLOYEE,
    Punch.instant > bindparam("near_from", type_=Punch.instant.type),
    Punch.instant < bindparam("near_to", type_=Punch.instant.type),
)


def _inserted_if(guard: Any) -> Any:
    """The punch's insert (its id returned) when ``guard`` holds, as a CTE named ``inserted``."""
    return (
        insert(Punch)
        .from_select(list(_STORED), select(*(_typed(name) for name in _STORED)).where(guard))
        .returning(Punch.id)
        .cte("inserted")
    )


_INSERTED = _inserted_if(~_NEARBY)


def _audit_of(inserted: Any) -> Any:
    """The audit row of the punch ``inserted`` (a CTE returning its id), as a CTE of the same statement."""
    return (
        insert(AuditLog)
        .from_select(
            ["actor", "action", "entity", "entity_id", "new", "request_id", "at"],
            select(
                _typed_as(AuditLog.actor, "actor"),
                literal("create", String),
                literal("punch", String),
                cast(inserted.c.id, String),
                # the snapshot as built before the insert, with the id the insert gave the punch
                func.jsonb_set(_typed_as(AuditLog.new, "new"), literal_column("'{id}'"), func.to_jsonb(inserted.c.id)),
                _typed_as(AuditLog.request_id, "request_id"),
                _typed_as(AuditLog.at, "at"),
            ).select_from(inserted),
        )
        .returning(AuditLog.id)
        .cte("audited")
    )


STORE = select(_INSERTED.c.id).add_cte(_audit_of(_INSERTED))
"""The punch and its audit row in one statement, unless a punch lies within 2 minutes of it (no row back)."""

# The read and the write in one statement, for a punch that needs no rest check: the punches around it
# (``AROUND``) and, unless one of them lies within 2 minutes or (for a check-in) the latest one before it
# is a check-out, the punch and its audit row. Every part sees the same snapshot, so what comes back is
# what the insert was decided on. The last row carries the new punch's id (NULL: nothing was stored).
_AROUND = AROUND.cte("around")
_INSTANT = bindparam("instant", type_=Punch.instant.type)
_LATEST_BEFORE = select(func.max(_AROUND.c.instant)).where(_AROUND.c.instant < _INSTANT).scalar_subquery()
_AFTER_A_CHECK_OUT = exists().where(
    _AROUND.c.direction == Direction.OUT.value, _AROUND.c.instant == _LATEST_BEFORE
)  # (any check-out at the latest instant before: a tie of an in and an out is checked, not guessed)
_GUARD = and_(
    ~exists().where(
        _AROUND.c.instant > bindparam("near_from", type_=Punch.instant.type),
        _AROUND.c.instant < bindparam("near_to", type_=Punch.instant.type),
    ),
    or_(~bindparam("check_in", type_=Boolean), ~_AFTER_A_CHECK_OUT),
)
_INSERTED_AT_ONCE = _inserted_if(_GUARD)
READ_AND_STORE = union_all(
    select(
        _AROUND.c.instant,
        _AROUND.c.direction,
        _AROUND.c.source,
        _AROUND.c.inside,
        cast(null(), Punch.id.type).label("punch_id"),
    ),
    select(
        cast(null(), Punch.instant.type), cast(null(), String), cast(null(), String), false(), _INSERTED_AT_ONCE.c.id
    ),
).add_cte(_audit_of(_INSERTED_AT_ONCE))
"""``AROUND`` and, when nothing stands in the way, the punch and its audit row: one round trip."""


def fast_punches(db: Database) -> bool:
    """Whether this database takes the short way (PostgreSQL through asyncpg)."""
    return db.engine.dialect.driver == "asyncpg"


async def record_telegram_punch(
    db: Database,
    *,
    actor: Actor,
    employee: Employee,
    direction: Direction,
    now: datetime,
    company_timezone: str,
    latitude: float | None = None,
    longitude: float | None = None,
    remote: bool = False,
) -> PunchOutcome:
    """A punch the employee makes now from Telegram (see the module docstring); ``record_punch``'s rules."""
    source = PunchSource.TELEGRAM
    args: dict[str, Any] = dict(
        actor=actor, employee_id=employee.id, instant=now, source=source, now=now, company_timezone=company_timezone,
        latitude=latitude, longitude=longitude, employee=employee, remote=remote,
    )  # fmt: skip
    if not fast_punches(db):
        return await _in_one_transaction(db, direction, args)
    async with db.read() as session:  # reads only what the reference cache misses
        plan = await plan_punch(session, **args)
    if plan.day < now.astimezone(plan.tz).date():  # a night shift's punch after midnight: its row is refreshed
        return await _in_one_transaction(db, direction, args)
    punch = new_punch(plan, actor=actor, direction=direction, source=source, latitude=latitude, longitude=longitude)
    punch.created_at = utcnow()
    params = store_params(plan, punch, actor)
    params["check_in"] = direction is Direction.IN
    async with db.reads() as statements:  # usually the only round trip
        facts, earlier, punch_id = _read(await statements.all(READ_AND_STORE, params))
    nearby, previous = nearby_and_previous(plan, facts, earlier)
    if nearby is not None:
        return outcome_of(plan, facts, None, nearby, None, now=now)
    if punch_id is None and direction is Direction.IN and previous is not None and previous.direction is Direction.OUT:
        async with db.read() as session:  # the rules are read only after a check-out, as in record_punch
            warning = await rest_warning(session, employee=plan.employee, check_in=now, last=previous)
        if warning is not None:  # the manager's warning must be queued with the punch: one transaction
            return await _in_one_transaction(db, direction, args)
        async with db.reads() as statement:
            punch_id = await statement.scalar(STORE, params)
    if punch_id is None:  # a punch within 2 minutes was stored after the read (the API, HR, a device), or a tie
        return await _in_one_transaction(db, direction, args)
    punch.id = int(punch_id)
    facts.append(PunchFact(now, direction, source))
    return outcome_of(plan, facts, punch, None, None, now=now)


async def _in_one_transaction(db: Database, direction: Direction, args: dict[str, Any]) -> PunchOutcome:
    async with db.transaction() as session:
        return await record_punch(session, direction=direction, **args)


def _read(rows: list[dict[str, Any]]) -> tuple[list[PunchFact], PunchFact | None, int | None]:
    """:data:`READ_AND_STORE`'s rows: the punches around, the latest before them, the new punch's id."""
    punch_id = next((row["punch_id"] for row in rows if row["punch_id"] is not None), None)
    facts, earlier = _facts([row for row in rows if row["punch_id"] is None])
    return facts, earlier, punch_id


def _facts(rows: list[dict[str, Any]]) -> tuple[list[PunchFact], PunchFact | None]:
    facts = []
    earlier = None
    for row in rows:  # the driver's values: enums as their stored strings
        fact = PunchFact(row["instant"], Direction(row["direction"]), PunchSource(row["source"]))
        if row["inside"]:
            facts.append(fact)
        else:
            earlier = fact
    return facts, earlier


def store_params(plan: PunchPlan, punch: Punch, actor: Actor) -> dict[str, Any]:
    """The parameters of :data:`STORE`: the punch's columns, the duplicate window, the audit row."""
    params = {name: getattr(punch, name) for name in _STORED}
    params.update(
        lower=plan.read_from,
        upper=plan.read_to,
        instant=plan.instant,
        near_from=plan.instant - DUPLICATE_WINDOW,
        near_to=plan.instant + DUPLICATE_WINDOW,
        actor=actor.label,
        new=snapshot(punch),
        request_id=request_id_var.get(),
        at=punch.created_at,
    )
    return params
