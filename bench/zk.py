"""Device sync end to end into PostgreSQL vs pyzk's own get_attendance(), and a fleet synced concurrently.

    .venv/bin/python bench/zk.py [--records 100000] [--repeat 5] [--pyzk-repeat 2] [--devices 20]
                                 [--per-device 5000] [--skip-pyzk] [--no-append]

1. One emulated device with 100,000 records (40-byte format) over loopback TCP: the ``sync_devices`` job as the
   scheduler runs it (Redis lock, JobRun, read in a thread, UTC conversion, bulk insert-or-ignore, device
   update), timed end to end into an empty table, best of 5; then again (everything is a duplicate); then
   pyzk's ``get_attendance()`` alone on the same emulator, best of 2. Goal: the full sync at least 6x faster
   than pyzk's read alone. (Best-of: the machine's other load only ever adds time, to both sides.)
2. 20 devices x 5,000 records synced concurrently (DEVICE_SYNC_CONCURRENCY = 8, then one thread per device).

Each run uses a scratch PostgreSQL database (BENCH_DATABASE_URL / TEST_DATABASE_URL) and appends its table to
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path and "zk" would be this file, not pyzk.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from sqlalchemy import func, select, text  # noqa: E402
from zk import ZK  # noqa: E402

from bench.common import ScratchDatabase, Stopwatch, record, table  # noqa: E402
from sandbox.zk import DeviceConfig, ZKEmulator, generate_records, make_users  # noqa: E402
from shared.model import Device, Employee, Punch  # noqa: E402
from shared.persistence import Database  # noqa: E402
from shared.redis_client import create_redis  # noqa: E402
from shared.services.devices.sync import SyncOptions  # noqa: E402
from shared.services.devices.sync_job import run_device_sync  # noqa: E402
from shared.services.jobs import JobContext, run_recorded  # noqa: E402

TZ = "Europe/Berlin"


def emulator(records: int, users: int = 50, seed: int = 7) -> ZKEmulator:
    people = make_users(users)
    config = DeviceConfig(
        users=people, records=generate_records(records, people, seed=seed), record_size=40, timezone=TZ,
        record_capacity=max(200_000, records),
    )  # fmt: skip
    return ZKEmulator(config).start()


async def add_devices(db: Database, devices: list[ZKEmulator]) -> list[int]:
    async with db.transaction() as s:
        rows = [Device(name=f"Door {i}", host=d.host, port=d.port, timezone=TZ) for i, d in enumerate(devices)]
        s.add_all(rows)
        s.add_all(Employee(code=f"E{i}", full_name=f"Person {i}", device_user_id=str(1000 + i)) for i in range(1, 26))
        await s.flush()
        return [r.id for r in rows]


async def sync(
    db: Database, redis: Any, options: SyncOptions, device_ids: list[int] | None = None
) -> tuple[float, Any]:
    async def body(ctx: JobContext) -> None:
        await run_device_sync(ctx, db=db, redis=redis, options=options, device_ids=device_ids)

    with Stopwatch() as watch:
        run = await run_recorded(db, redis, "sync_devices", body, trigger="bench", prefix="bench")
    assert run is not None and run.status.value == "success", (run.status, run.error) if run else None
    return watch.seconds, run


def pyzk_read(device: ZKEmulator) -> tuple[float, int]:
    client = ZK(device.host, port=device.port, timeout=60, ommit_ping=True)
    with Stopwatch() as watch:
        client.connect()
        try:
            count = len(client.get_attendance())
        finally:
            client.disconnect()
    return watch.seconds, count


async def count_punches(db: Database) -> int:
    async with db.session() as s:
        return int(await s.scalar(select(func.count()).select_from(Punch)) or 0)


async def one_device(url: str, records: int, pyzk_repeat: int, repeat: int) -> tuple[list[list[object]], float | None]:
    rows: list[list[object]] = []
    with Stopwatch() as watch:
        device = emulator(records)
    rows.append(["emulator: generate + encode records", f"{watch.seconds:.3f}", ""])
    db, redis = Database.from_url(url), create_redis("")
    try:
        await add_devices(db, [device])
        options = SyncOptions(company_timezone=TZ, timeout=60)
        times = []
        for _ in range(repeat):  # into an empty table each time; best of N, like pyzk's figure below
            async with db.transaction() as s:
                await s.execute(text("TRUNCATE punches, job_runs"))
            seconds, run = await sync(db, redis, options)
            times.append(seconds)
        seconds = min(times)
        counts = next(iter(run.counts["devices"].values()))
        stored = await count_punches(db)
        assert counts["new"] == stored == records, (counts, stored)
        runs = ", ".join(f"{t:.2f}" for t in times)
        rows.append([
            f"**sync_devices job, {records:,} new punches** (read + UTC + insert + JobRun), best of {repeat}",
            f"**{seconds:.3f}**",
            f"{counts['new']:,} new, {counts['unmatched']:,} unmatched; runs {runs}",
        ])  # fmt: skip
        again, run = await sync(db, redis, options)
        counts = next(iter(run.counts["devices"].values()))
        rows.append(["sync_devices again (all duplicates)", f"{again:.3f}", f"{counts['duplicate']:,} duplicate"])
        pyzk_seconds = None
        if pyzk_repeat:
            measured = [pyzk_read(device) for _ in range(pyzk_repeat)]
            pyzk_seconds, count = min(measured)
            runs = ", ".join(f"{t:.1f}" for t, _ in measured)
            rows.append([f"pyzk get_attendance() alone (no database), best of {pyzk_repeat}", f"{pyzk_seconds:.3f}",
                         f"{count:,} records; runs {runs}"])  # fmt: skip
        return rows, (pyzk_seconds / seconds if pyzk_seconds else None)
    finally:
        device.stop()
        await redis.aclose()
        await db.dispose()


async def fleet(url: str, devices: int, per_device: int) -> list[list[object]]:
    rows: list[list[object]] = []
    running = [emulator(per_device, seed=i) for i in range(devices)]
    db, redis = Database.from_url(url), create_redis("")
    try:
        ids = await add_devices(db, running)
        for concurrency in (8, devices):
            async with db.transaction() as s:
                await s.execute(text("TRUNCATE punches, job_runs"))
            options = SyncOptions(company_timezone=TZ, timeout=60, concurrency=concurrency)
            seconds, run = await sync(db, redis, options, ids)
            assert run.counts["new"] == devices * per_device == await count_punches(db), run.counts
            slowest = max(d["seconds"] for d in run.counts["devices"].values())
            rows.append([f"{devices} devices x {per_device:,} records, concurrency {concurrency}", f"{seconds:.3f}",
                         f"{run.counts['new']:,} new; slowest device {slowest:.2f} s"])  # fmt: skip
    finally:
        for device in running:
            device.stop()
        await redis.aclose()
        await db.dispose()
    return rows


async def main(args: argparse.Namespace) -> None:
    async with ScratchDatabase("zk") as url:
        rows, speedup = await one_device(url, args.records, 0 if args.skip_pyzk else args.pyzk_repeat, args.repeat)
    async with ScratchDatabase("zkfleet") as url:
        rows += await fleet(url, args.devices, args.per_device)
    body = table(["step", "seconds", "check"], rows)
    if speedup is not None:
        verdict = "goal met" if speedup >= 6 else "GOAL MISSED"
        body += f"\n\nFull sync incl. the database write is {speedup:.1f}x faster than pyzk's get_attendance() alone "
        body += f"(goal: 6x, {verdict})."
    title = f"ZK device sync into PostgreSQL: {args.records:,} records (40-byte, TCP) and a fleet"
    record(title, body, append=not args.no_append)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--per-device", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5, help="full syncs of the big device (best of)")
    parser.add_argument("--pyzk-repeat", type=int, default=2, help="pyzk reads (best of; ~25 s each)")
    parser.add_argument("--skip-pyzk", action="store_true", help="skip pyzk's get_attendance (slow)")
    parser.add_argument("--no-append", action="store_true", help="do not append the table to bench/RESULTS.md")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(parser.parse_args()))
    time.sleep(0)
