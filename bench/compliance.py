"""Working-time evaluation on PostgreSQL: evaluate_window for 1 and 30 days after nightly processing.

    .venv/bin/python bench/compliance.py [--employees 10000] [--days 30] [--no-append]

Seeds the same company as ``bench/nightly.py`` (N employees on a day shift, ~4 punches a day), processes the
days, then times the evaluation of the last day (what the nightly job adds) and of the whole range, each
twice (the second run finds every violation already stored: nothing is written).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ScratchDatabase, Stopwatch, record, table
from bench.nightly import FIRST_DAY, TZ, seed, timed_process
from shared.persistence import Database
from shared.services.compliance.evaluation import evaluate_window


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    last = FIRST_DAY + timedelta(days=args.days - 1)
    async with ScratchDatabase("compliance") as url:
        punches = await seed(url, args.employees, args.days)
        await timed_process(url, FIRST_DAY, last)
        db = Database.from_url(url)
        rows = []
        try:
            for label, start in ((f"1 day ({last})", last), (f"{args.days} days", FIRST_DAY)):
                seconds = []
                for _ in range(2):
                    with Stopwatch() as watch:
                        async with db.transaction() as session:
                            stats = await evaluate_window(
                                session, date_from=start, date_to=last, now=datetime.now(UTC), company_timezone=TZ
                            )
                    seconds.append(watch.seconds)
                rows.append(
                    (label, f"{stats.employees:,}", f"{stats.found:,}", f"{seconds[0]:.2f}", f"{seconds[1]:.2f}")
                )
        finally:
            await db.dispose()
    body = table(["window", "employees", "violations", "first run s", "re-run s"], rows)
    body += f"\n\n{args.employees:,} employees, {punches:,} punches, days processed before."
    record("Working-time evaluation (bench/compliance.py, PostgreSQL)", body, append=not args.no_append)


if __name__ == "__main__":
    asyncio.run(main())
