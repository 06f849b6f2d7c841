"""Punches' references to employees and devices checked per statement on PostgreSQL

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-03 14:00:00

PostgreSQL checks a foreign key row by row (one lookup of the referenced row per inserted row): the two foreign
keys of ``punches`` doubled the time of a first device sync's ``COPY`` (issue 13). On PostgreSQL the two
constraints become triggers that do the same per statement, over the statement's transition tables:

- ``punches`` AFTER INSERT / AFTER UPDATE: the distinct non-null ``employee_id`` / ``device_id`` values the
  statement wrote (on UPDATE only those that changed) are locked ``FOR KEY SHARE`` in the referenced table, as
  PostgreSQL's own check does, and a value without a row fails with ``foreign_key_violation`` (23503) naming the
  constraint; the statement and its rows are undone like any failed statement.
- ``employees`` / ``devices`` AFTER DELETE: their punches' reference is set to NULL (``ON DELETE SET NULL``).
- ``employees`` / ``devices`` BEFORE UPDATE OF id: changing an id that punches refer to fails (23503); ids are
  identity values that nothing changes, so this is ``NO ACTION`` made strict.
- ``employees`` / ``devices`` AFTER TRUNCATE: fails (23503) while punches still refer to the table (truncate
  ``punches`` in the same statement).
- Deleting from, or changing ids of, the referenced tables is refused outside READ COMMITTED: a trigger sees only
  the rows its snapshot sees, so under REPEATABLE READ it could miss punches committed meanwhile (PostgreSQL's
  own check has a private cross-check snapshot for that). The application only runs READ COMMITTED.

SQLite keeps the real foreign keys (the model's ``ForeignKeyConstraint(...).ddl_if(dialect="sqlite")``): cheap
there, and nothing changes. docs/performance.md ("ZK device sync") says why this is as strict as the constraints.
"""

import re
from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERENCES = (
    ("employee_id", "employees", "fk_punches_employee_id_employees"),
    ("device_id", "devices", "fk_punches_device_id_devices"),
)

_CHECK = """
CREATE FUNCTION chronos_punches_check_{column}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    wanted bigint[];
    found integer;
    missing bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(k) INTO wanted
        FROM (SELECT DISTINCT {column} AS k FROM new_rows WHERE {column} IS NOT NULL) AS d;
    ELSE  -- UPDATE: only references the statement changed, as PostgreSQL's own check
        SELECT array_agg(k) INTO wanted FROM (
            SELECT DISTINCT n.{column} AS k FROM new_rows AS n
            WHERE n.{column} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM old_rows AS o WHERE o.id = n.id AND o.{column} = n.{column})
        ) AS d;
    END IF;
    IF wanted IS NULL THEN
        RETURN NULL;
    END IF;
    -- One statement locks and counts: a row deleted meanwhile is not locked, so it is missing below.
    SELECT count(*) INTO found FROM (SELECT 1 FROM {table} AS r WHERE r.id = ANY (wanted) FOR KEY SHARE OF r) AS l;
    IF found < cardinality(wanted) THEN
        SELECT w INTO missing FROM unnest(wanted) AS w
        WHERE NOT EXISTS (SELECT 1 FROM {table} AS r WHERE r.id = w) LIMIT 1;
        RAISE EXCEPTION 'insert or update on table "punches" violates foreign key constraint "{constraint}"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{constraint}', TABLE = 'punches',
                  SCHEMA = TG_TABLE_SCHEMA,
                  DETAIL = format('Key ({column})=(%s) is not present in table "{table}".', coalesce(missing::text, '?'));
    END IF;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER punches_{column}_insert AFTER INSERT ON punches REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION chronos_punches_check_{column}();
CREATE TRIGGER punches_{column}_update AFTER UPDATE ON punches
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION chronos_punches_check_{column}();

CREATE FUNCTION chronos_{table}_read_committed() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'deleting from or changing ids of table "{table}" needs READ COMMITTED'
            USING ERRCODE = 'feature_not_supported', TABLE = '{table}',
                  DETAIL = 'punches.{column} is kept by triggers, which see only what the snapshot sees.';
    END IF;
END
$fn$;

CREATE FUNCTION chronos_{table}_unset_punches() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    gone bigint[];
BEGIN
    SELECT array_agg(id) INTO gone FROM old_rows;
    IF gone IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM chronos_{table}_read_committed();
    UPDATE punches SET {column} = NULL WHERE {column} = ANY (gone);
    RETURN NULL;
END
$fn$;
CREATE TRIGGER {table}_unset_punches AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION chronos_{table}_unset_punches();

CREATE FUNCTION chronos_{table}_keep_punched_id() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM chronos_{table}_read_committed();
    IF EXISTS (SELECT 1 FROM punches WHERE {column} = OLD.id) THEN
        RAISE EXCEPTION 'update or delete on table "{table}" violates foreign key constraint "{constraint}" on table "punches"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{constraint}', TABLE = '{table}',
                  SCHEMA = TG_TABLE_SCHEMA,
                  DETAIL = format('Key (id)=(%s) is still referenced from table "punches".', OLD.id);
    END IF;
    RETURN NEW;
END
$fn$;
CREATE TRIGGER {table}_keep_punched_id BEFORE UPDATE OF id ON {table}
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION chronos_{table}_keep_punched_id();

CREATE FUNCTION chronos_{table}_truncate_check() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF EXISTS (SELECT 1 FROM punches WHERE {column} IS NOT NULL) THEN
        RAISE EXCEPTION 'cannot truncate table "{table}": punches.{column} refers to it (truncate punches with it)'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{constraint}', TABLE = '{table}',
                  SCHEMA = TG_TABLE_SCHEMA;
    END IF;
    RETURN NULL;
END
$fn$;
CREATE TRIGGER {table}_truncate_check AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION chronos_{table}_truncate_check();
"""

_DROP = """
DROP TRIGGER punches_{column}_insert ON punches;
DROP TRIGGER punches_{column}_update ON punches;
DROP TRIGGER {table}_unset_punches ON {table};
DROP TRIGGER {table}_keep_punched_id ON {table};
DROP TRIGGER {table}_truncate_check ON {table};
DROP FUNCTION chronos_punches_check_{column}();
DROP FUNCTION chronos_{table}_unset_punches();
DROP FUNCTION chronos_{table}_keep_punched_id();
DROP FUNCTION chronos_{table}_truncate_check();
DROP FUNCTION chronos_{table}_read_committed();
"""


def _run(script: str) -> None:
    """One statement at a time (the driver prepares each statement; function bodies hold semicolons)."""
    for statement in re.split(r";\n+(?=CREATE |DROP )", script.strip()):
        op.execute(statement.rstrip(";"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite keeps its foreign keys
    for column, table, constraint in REFERENCES:
        op.drop_constraint(constraint, "punches", type_="foreignkey")
        _run(_CHECK.format(column=column, table=table, constraint=constraint))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column, table, constraint in REFERENCES:
        _run(_DROP.format(column=column, table=table))
        op.create_foreign_key(constraint, "punches", table, [column], ["id"], ondelete="SET NULL")
