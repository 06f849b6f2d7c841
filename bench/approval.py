"""Approving backdated leave on PostgreSQL: the same-transaction re-processing against its floor.

    .venv/bin/python bench/approval.py [--employees 2000] [--approvals 200] [--no-append]

A company of N employees on a day shift with a month of punches (~4 a day). Each sample approves a
pending 10-working-day sick leave that started 14 days ago (so its 10 past days are re-processed in the
approval's transaction) through ``decide_leave``, one transaction per approval, one after the other.
The floor, measured in the same run on the same data: approving an equally long request in the future
(the same use case, locks, ledger and notifications, but no day to re-process). Goal: p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ScratchDatabase, Stopwatch, record, table
from bench.nightly import TZ, raw_dsn, seed
from shared.domain.enums import LeaveStatus, Role
from shared.persistence import Database
from shared.services.actor import Actor
from shared.services.attendance.processing import process_days
from shared.services.leave.decisions import decide_leave

BERLIN = ZoneInfo(TZ)


def working_days_back(today: date, n: int) -> tuple[date, date]:
    """The n working days (Mon-Fri) that end yesterday or before: (first, last)."""
    day, found = today - timedelta(days=1), []
    while len(found) < n:
        if day.isoweekday() <= 5:
            found.append(day)
        day -= timedelta(days=1)
    return found[-1], found[0]


async def prepare(url: str, employees: int, approvals: int, today: date) -> tuple[int, list[int], list[int]]:
    """A sick type, HR, the punches' month processed, and per sample one backdated and one future request."""
    conn = await asyncpg.connect(raw_dsn(url))
    try:
        sick = await conn.fetchval(
            "INSERT INTO leave_types (code, name, paid, yearly_allowance, accrual, accrual_rounding, min_notice_days,"
            " half_days_allowed, negative_allowed, approval_required, attachment_required, backdate_days, active)"
            " VALUES ('SICK', 'Sick leave', true, 0, 'yearly', 0.5, 0, true, true, true, false, 30, true) RETURNING id"
        )
        await conn.execute("UPDATE employees SET role = 'hr', telegram_user_id = 1 WHERE id = 1")
        first, last = working_days_back(today, 10)
        future_first = today + timedelta(days=30)
        backdated, future = [], []
        for employee_id in range(2, 2 + approvals):
            for start, end, bucket in ((first, last, backdated), (future_first, future_first + timedelta(days=13),
                                                                   future)):  # fmt: skip
                bucket.append(
                    await conn.fetchval(
                        "INSERT INTO leave_requests (employee_id, leave_type_id, start_date, end_date, working_days,"
                        " status, approver_id, created_at, updated_at, version)"
                        " VALUES ($1, $2, $3, $4, 10, 'pending', 1, now(), now(), 1) RETURNING id",
                        employee_id,
                        sick,
                        start,
                        end,
                    )
                )
        await conn.execute("ANALYZE")
        return sick, backdated, future
    finally:
        await conn.close()


async def approve_all(db: Database, request_ids: list[int], today: date, now: datetime) -> list[float]:
    hr = Actor.for_employee(1, Role.HR)
    timings = []
    for request_id in request_ids:
        with Stopwatch() as watch:
            async with db.transaction() as session:
                outcome = await decide_leave(
                    session, actor=hr, request_id=request_id, approve=True, today=today, now=now
                )
        assert outcome.changed and outcome.request.status is LeaveStatus.APPROVED
        timings.append(watch.seconds * 1000)
    return timings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--approvals", type=int, default=200)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    now = datetime.now(UTC)
    today = now.astimezone(BERLIN).date()
    async with ScratchDatabase("approval") as url:
        import bench.nightly as nightly

        nightly.FIRST_DAY = today - timedelta(days=30)
        punches = await seed(url, args.employees, 31)
        _, backdated, future = await prepare(url, args.employees, args.approvals, today)
        db = Database.from_url(url)
        try:
            async with db.transaction() as session:
                await process_days(
                    session, date_from=today - timedelta(days=30), date_to=today, now=now, company_timezone=TZ
                )
            warm = 10
            await approve_all(db, future[:warm], today, now)
            await approve_all(db, backdated[:warm], today, now)
            rows = []
            floor = await approve_all(db, future[warm:], today, now)
            measured = await approve_all(db, backdated[warm:], today, now)
            samples = (
                ("floor: 10-day leave in the future (nothing to re-process)", floor),
                ("10-day sick leave that began 2 weeks ago (10 days re-processed)", measured),
            )
            for label, values in samples:
                rows.append(
                    (
                        label,
                        len(values),
                        f"{statistics.median(values):.1f}",
                        f"{percentile(values, 0.95):.1f}",
                        f"{max(values):.1f}",
                    )
                )
        finally:
            await db.dispose()
    p95 = percentile(measured, 0.95)
    ratio = statistics.median(measured) / statistics.median(floor)
    body = table(["approval", "samples", "p50 ms", "p95 ms", "max ms"], rows)
    body += (
        f"\n\n{args.employees:,} employees, {punches:,} punches over 31 days; one approval per transaction, one after "
        f"the other, through decide_leave on PostgreSQL. Median ratio to the floor: {ratio:.1f}x. "
        f"Goal p95 < 50 ms: {'met' if p95 < 50 else '**missed**'} ({p95:.1f} ms)."
    )
    record("Approving backdated leave (bench/approval.py, PostgreSQL)", body, append=not args.no_append)


if __name__ == "__main__":
    asyncio.run(main())
