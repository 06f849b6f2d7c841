"""Nightly attendance processing on PostgreSQL: process_days for 1 and 30 days vs. the I/O floor.

    .venv/bin/python bench/nightly.py [--employees 10000] [--days 30] [--no-append]

Generates a company of N employees on a day shift with ~4 punches a day (some absent, late, missing a
check-out), then times ``process_days`` for the last day and for the whole range. In the same run it
measures the floor: reading the same punch rows and bulk-writing as many result rows with the fastest
plain method (asyncpg fetch + COPY). Goal (issue 13): 1 day under 2 s, ratio to the floor at most 1.5x.

The floor's rows carry what processing's rows carry: every column processing writes (overtime and
unscheduled punches included) and the employee's shift, so PostgreSQL checks the same foreign keys
(employee and shift; the leave request is NULL on both sides here). Before 2026-12-03 the floor wrote
``shift_id`` NULL and skipped that foreign key check (about a third of the COPY's cost): its ratios read
higher. The floor does not include the compliance evaluation that the nightly job runs after processing
(``bench/compliance.py`` measures it): it reads punches and daily rows again and writes only the few
violations, a separate cost with its own benchmark.

Besides wall time (noisy on a shared machine) it prints the CPU both sides spent: this process's own CPU
plus the PostgreSQL backend's (read from /proc, so only when the server runs on this machine).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ScratchDatabase, Stopwatch, record, table
from shared.domain.shift_window import ShiftRule, day_range
from shared.persistence import Database
from shared.services.attendance.processing import process_days

TZ = "Europe/Berlin"
FIRST_DAY = date(2026, 10, 1)


def raw_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def punches_for(employee_id: int, days: int, rng: random.Random) -> list[tuple]:
    zone = ZoneInfo(TZ)
    rows = []
    now = datetime.now(UTC)
    for offset in range(days):
        day = FIRST_DAY + timedelta(days=offset)
        if day.isoweekday() > 5 or rng.random() < 0.04:
            continue
        start = datetime.combine(day, time(9), zone) + timedelta(minutes=rng.gauss(0, 12))
        times = [start, start + timedelta(hours=4), start + timedelta(hours=4, minutes=45)]
        if rng.random() > 0.03:  # 3% forget to check out
            times.append(start + timedelta(hours=9, minutes=rng.gauss(0, 15)))
        for i, instant in enumerate(times):
            rows.append(
                (employee_id, str(employee_id), "device", instant.astimezone(UTC), "in" if i % 2 == 0 else "out", now)
            )
    return rows


async def seed(url: str, employees: int, days: int) -> int:
    conn = await asyncpg.connect(raw_dsn(url))
    try:
        shift_id = await conn.fetchval(
            "INSERT INTO shifts (name, start_time, end_time, late_grace_minutes, early_grace_minutes, half_day_hours,"
            " absent_hours, checkin_before_minutes, checkout_after_minutes, hours_mode)"
            " VALUES ('Day', '09:00', '18:00', 10, 10, 4, 1, 120, 240, 'first_last') RETURNING id"
        )
        departments = [
            await conn.fetchval("INSERT INTO departments (name, created_at) VALUES ($1, now()) RETURNING id", f"D{i}")
            for i in range(20)
        ]
        now = datetime.now(UTC)
        await conn.copy_records_to_table(
            "employees",
            columns=[
                "id",
                "code",
                "full_name",
                "department_id",
                "role",
                "timezone",
                "shift_id",
                "work_week",
                "active",
                "created_at",
                "updated_at",
                "hire_date",
            ],
            records=[
                (
                    i,
                    f"E{i:05d}",
                    f"Employee {i}",
                    departments[i % 20],
                    "employee",
                    TZ,
                    shift_id,
                    "12345",
                    True,
                    now,
                    now,
                    date(2020, 1, 1),
                )
                for i in range(1, employees + 1)
            ],
        )
        await conn.execute("SELECT setval('employees_id_seq', $1)", employees)
        rng = random.Random(7)
        total = 0
        batch: list[tuple] = []
        for employee_id in range(1, employees + 1):
            batch.extend(punches_for(employee_id, days, rng))
            if len(batch) > 200_000 or employee_id == employees:
                await conn.copy_records_to_table(
                    "punches",
                    columns=["employee_id", "device_user_id", "source", "instant", "direction", "created_at"],
                    records=batch,
                )
                total += len(batch)
                batch = []
        await conn.execute("ANALYZE")
        return total
    finally:
        await conn.close()


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def backend_cpu(pid: int) -> float:
    """CPU seconds the PostgreSQL backend ``pid`` has used (NaN when the server is not on this machine)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuWatch:
    """Wall time, and CPU of this process plus one PostgreSQL backend, over a block."""

    def __init__(self, backend_pid: int) -> None:
        self.pid = backend_pid

    def __enter__(self) -> CpuWatch:
        self.cpu0, self.server0 = own_cpu(), backend_cpu(self.pid)
        self.watch = Stopwatch().__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.watch.__exit__()
        self.seconds = self.watch.seconds
        self.cpu = own_cpu() - self.cpu0 + backend_cpu(self.pid) - self.server0


async def timed_process(url: str, start: date, end: date, *, fresh: bool = True) -> tuple[float, int, int, float]:
    """Time one run (wall, rows, punches, CPU of this process + its backend); ``fresh`` first deletes the
    range's rows, as on a night that processes new days."""
    db = Database.from_url(url)
    try:
        if fresh:
            async with db.transaction() as session:
                await session.execute(
                    text("DELETE FROM daily_attendance WHERE date BETWEEN :a AND :b"), {"a": start, "b": end}
                )
        async with db.session() as session:
            pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        with CpuWatch(pid) as watch:  # the pool has one connection idle: the transaction runs on that backend
            async with db.transaction() as session:
                stats = await process_days(
                    session, date_from=start, date_to=end, now=datetime.now(UTC), company_timezone=TZ
                )
        return watch.seconds, stats.rows_written, stats.punches, watch.cpu
    finally:
        await db.dispose()


async def floor(url: str, start: date, end: date, result_rows: int) -> tuple[float, float]:
    """The fastest plain I/O for the same work: asyncpg fetch of the same punches, then COPY of as many
    result rows, with the same columns and foreign key values, into the same table (same indexes and foreign
    keys), in one transaction. Returns (wall seconds, CPU of this process + its backend)."""
    rule = ShiftRule(time(9), time(18), checkin_before_minutes=120, checkout_after_minutes=240)
    lower, upper = day_range(start, rule, ZoneInfo(TZ))[0], day_range(end, rule, ZoneInfo(TZ))[1]
    conn = await asyncpg.connect(raw_dsn(url))
    try:
        await conn.execute("DELETE FROM daily_attendance WHERE date BETWEEN $1 AND $2", start, end)
        now = datetime.now(UTC)
        span = (end - start).days + 1
        employees = max(1, result_rows // span)
        shift_id = await conn.fetchval("SELECT min(id) FROM shifts")  # every employee's shift (seed)
        with CpuWatch(conn.get_server_pid()) as watch:
            async with conn.transaction():
                punches = await conn.fetch(
                    "SELECT employee_id, instant, direction, source FROM punches"
                    " WHERE employee_id IS NOT NULL AND instant >= $1 AND instant < $2",
                    lower,
                    upper,
                )
                rows = [
                    (1 + i % employees, start + timedelta(days=i // employees), "present", now, now, 480, 0, 0,
                     False, shift_id, None, 4, True, 0, 0, False, now)
                    for i in range(result_rows)
                ]  # fmt: skip
                columns = ["employee_id", "date", "status", "first_in", "last_out", "worked_minutes", "late_minutes",
                           "early_exit_minutes", "worked_on_day_off", "shift_id", "leave_request_id", "punch_count",
                           "is_final", "unscheduled_punches", "overtime_minutes", "manual_override",
                           "processed_at"]  # fmt: skip
                await conn.copy_records_to_table("daily_attendance", columns=columns, records=rows)
        assert punches is not None
        return watch.seconds, watch.cpu
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    last = FIRST_DAY + timedelta(days=args.days - 1)
    async with ScratchDatabase("nightly") as url:
        with Stopwatch() as gen:
            punches = await seed(url, args.employees, args.days)
        print(f"seeded {args.employees} employees, {punches} punches in {gen.seconds:.1f} s")
        rows = []
        for label, start in ((f"1 day ({last})", last), (f"{args.days} days", FIRST_DAY)):
            await timed_process(url, start, last)  # warm the caches and the table once
            seconds, written, read, cpu = await timed_process(url, start, last)
            rerun, _, _, rerun_cpu = await timed_process(url, start, last, fresh=False)
            floor_seconds, floor_cpu = await floor(url, start, last, written)
            rows.append(
                (
                    label,
                    f"{read:,}",
                    f"{written:,}",
                    f"{seconds:.2f} ({cpu:.2f})",
                    f"{rerun:.2f} ({rerun_cpu:.2f})",
                    f"{floor_seconds:.2f} ({floor_cpu:.2f})",
                    f"{seconds / floor_seconds:.2f}x",
                    f"{cpu / floor_cpu:.2f}x",
                )
            )
    headers = ["range", "punches read", "rows written", "process_days s (CPU s)", "re-run s (CPU s)", "floor s (CPU s)",
               "ratio", "CPU ratio"]  # fmt: skip
    body = table(headers, rows)
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    body += (
        f"\n\n{args.employees:,} employees, {punches:,} punches; goal: 1 day < 2 s, ratio <= 1.5x. CPU: this"
        f" process + its PostgreSQL backend. Load average at the end (1/5/15 min): {load}."
    )
    record("Nightly processing (bench/nightly.py, PostgreSQL)", body, append=not args.no_append)


if __name__ == "__main__":
    asyncio.run(main())
