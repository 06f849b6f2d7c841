"""The HR digest for 10,000 employees on PostgreSQL: load + message + XLSX. Goal: under 2 s.

.venv/bin/python bench/digest.py [--employees 10000] [--no-append]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ScratchDatabase, Stopwatch, record, table
from bench.nightly import FIRST_DAY, TZ, seed
from shared.i18n import translator
from shared.persistence import Database
from shared.reports.digest_render import render_digest
from shared.reports.digest_xlsx import digest_xlsx
from shared.services.attendance.processing import process_days
from shared.services.notify.digest import load_digest


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    day = FIRST_DAY + timedelta(days=1)  # a Friday
    async with ScratchDatabase("digest") as url:
        await seed(url, args.employees, 3)
        db = Database.from_url(url)
        try:
            async with db.transaction() as s:
                await process_days(s, date_from=day, date_to=day, now=datetime.now(UTC), company_timezone=TZ)
            t = translator("ru")
            timings: list[tuple[float, float, float]] = []
            for _ in range(args.repeat):
                with Stopwatch() as load:
                    async with db.session() as s:
                        digest = await load_digest(
                            s, day=day, today=day + timedelta(days=1), company_timezone=TZ, now=datetime.now(UTC)
                        )
                with Stopwatch() as text:
                    message = render_digest(t, digest, tz=TZ)
                with Stopwatch() as sheet:
                    xlsx = digest_xlsx(t, digest, tz=TZ)
                timings.append((load.seconds, text.seconds, sheet.seconds))
        finally:
            await db.dispose()
    best = min(timings, key=sum)
    rows = [
        (
            f"{args.employees:,}",
            len(digest.rows),
            f"{best[0]:.3f}",
            f"{best[1]:.3f}",
            f"{best[2]:.3f}",
            f"{sum(best):.3f}",
        )
    ]
    body = table(["employees", "exception rows", "load s", "message s", "xlsx s", "total s"], rows)
    body += f"\n\nBest of {args.repeat}; message {len(message)} chars, XLSX {len(xlsx) // 1024} KiB; goal: total < 2 s."
    record("HR digest (bench/digest.py, PostgreSQL)", body, append=not args.no_append)


if __name__ == "__main__":
    asyncio.run(main())
