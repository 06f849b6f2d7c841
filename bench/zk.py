"""Device sync into PostgreSQL against its floor, re-syncs against the first sync, and a fleet synced concurrently.

    .venv/bin/python bench/zk.py [--records 100000] [--repeat 3] [--pyzk-repeat 1] [--devices 20]
                                 [--per-device 5000] [--skip-pyzk] [--no-append]

1. One emulated device with 100,000 records (40-byte format) over loopback TCP: the ``sync_devices`` job as the
   scheduler runs it (Redis lock, JobRun, read in a thread, UTC conversion, store, device update) into an empty
   table, against its floor in the same run (``floor``: read_device + UTC + COPY of the same rows into a table
   ``LIKE punches INCLUDING ALL``), in turns, best of ``--repeat`` each. Goal: ≤ 1.3× the floor.
2. Re-sync with nothing new (goal < 5 % of the first sync; beside it the floor of reading the record count),
   then re-syncs with 1 % new records appended (goal < 35 %).
3. pyzk's own ``get_attendance()`` on the same emulator (the anchor the project started from).
4. 20 devices x 5,000 records synced concurrently (DEVICE_SYNC_CONCURRENCY = 8, then one thread per device).

Each run uses a scratch PostgreSQL database (BENCH_DATABASE_URL / TEST_DATABASE_URL) and appends its table to
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path and "zk" would be this file, not pyzk.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

import asyncpg  # noqa: E402
from sqlalchemy import func, select, text, update  # noqa: E402
from zk import ZK  # noqa: E402

from bench.common import ScratchDatabase, Stopwatch, cpu_seconds, record, table  # noqa: E402
from sandbox.zk import DeviceConfig, ZKEmulator, generate_records, make_users  # noqa: E402
from shared.model import Device, Employee, Punch  # noqa: E402
from shared.persistence import Database  # noqa: E402
from shared.redis_client import create_redis  # noqa: E402
from shared.services.devices.sync import SyncOptions  # noqa: E402
from shared.services.devices.sync_job import run_device_sync  # noqa: E402
from shared.services.jobs import JobContext, run_recorded  # noqa: E402
from shared.zk import DeviceParams, read_device  # noqa: E402

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


async def forget_everything(db: Database) -> None:
    """An empty table and a device never synced: the next sync is a first one."""
    async with db.transaction() as s:
        await s.execute(text("TRUNCATE punches, job_runs CASCADE"))  # punch_corrections refer to punches
        await s.execute(update(Device).values(last_record_count=None, last_record_size=None, last_record_raw=None))


FLOOR_COLUMNS = (
    "device_id", "source", "created_at", "created_by", "device_user_id", "instant", "employee_id", "direction",
    "raw_status", "raw_punch",
)  # fmt: skip


FLOOR_TABLES = {
    "punches_floor": "",  # the issue's floor: LIKE copies indexes and defaults, not punches' reference triggers
    "punches_floor_fk": (
        "ALTER TABLE punches_floor_fk ADD FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE SET NULL,"
        " ADD FOREIGN KEY (employee_id) REFERENCES employees (id) ON DELETE SET NULL"
    ),
}


def _cpu(pid: int) -> float:
    try:
        return cpu_seconds(pid)
    except OSError:  # gone, or a database on another machine: counted as nothing
        return 0.0


async def database_cpu(monitor: asyncpg.Connection) -> dict[int, float]:
    """CPU seconds used so far by each backend of this database but the monitor's own (Linux /proc)."""
    sql = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'"
    sql += " AND pid <> pg_backend_pid()"
    return {r["pid"]: _cpu(r["pid"]) for r in await monitor.fetch(sql)}


async def floor(
    url: str, device: ZKEmulator, device_id: int, employees: dict[str, int], table: str
) -> tuple[float, float]:
    """What any correct sync must do: read the device and parse linearly (read_device), convert to UTC, and
    COPY the same rows into a table like punches (its indexes included; with ``punches_floor_fk`` also the
    two foreign keys punches had before migration 0014, which PostgreSQL checks row by row).
    Returns the seconds and the CPU seconds (this process and the COPY's backend)."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        if not await connection.fetchval("SELECT to_regclass($1)", table):
            await connection.execute(f"CREATE TABLE {table} (LIKE punches INCLUDING ALL)")
            if FLOOR_TABLES[table]:
                await connection.execute(FLOOR_TABLES[table])
        await connection.execute(f"TRUNCATE {table}")
        pid = await connection.fetchval("SELECT pg_backend_pid()")
        cpu = time.process_time() + _cpu(pid)
        with Stopwatch() as watch:
            params = DeviceParams(device.host, device.port, timezone=TZ, timeout=60)
            readout = await asyncio.to_thread(read_device, params)
            now = datetime.now(UTC)
            rows = [
                (device_id, "device", now, "floor", r.device_user_id, instant, employees.get(r.device_user_id),
                 "unknown", r.status, r.punch)
                for r, instant in zip(readout.records, readout.records_utc(), strict=True)
            ]  # fmt: skip
            await connection.copy_records_to_table(table, records=rows, columns=FLOOR_COLUMNS)
        return watch.seconds, time.process_time() + _cpu(pid) - cpu
    finally:
        await connection.close()


def read_count(device: ZKEmulator) -> float:
    """The floor of a re-sync with nothing new: connect, ask the record count, disconnect."""
    client = ZK(device.host, port=device.port, timeout=60, ommit_ping=True)
    with Stopwatch() as watch:
        client.connect()
        try:
            client.read_sizes()
        finally:
            client.disconnect()
    return watch.seconds


def verdict(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


async def one_device(url: str, records: int, pyzk_repeat: int, repeat: int) -> tuple[list[list[object]], list[str]]:
    rows: list[list[object]] = []
    with Stopwatch() as watch:
        device = emulator(records)
    rows.append(["emulator: generate + encode records", f"{watch.seconds:.3f}", "", ""])
    db, redis = Database.from_url(url), create_redis("")
    try:
        (device_id,) = await add_devices(db, [device])
        async with db.session() as s:
            employees = {u: i for u, i in (await s.execute(select(Employee.device_user_id, Employee.id))).all() if u}
        options = SyncOptions(company_timezone=TZ, timeout=60)
        firsts, floors, fk_floors, cpu_firsts, cpu_floors = [], [], [], [], []
        monitor = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        for _ in range(repeat):  # first syncs and floors in turns, into empty tables; best of N each
            await forget_everything(db)
            backends, cpu = await database_cpu(monitor), time.process_time()
            seconds, run = await sync(db, redis, options)
            cpu = (
                time.process_time()
                - cpu
                + sum(c - backends.get(p, 0.0) for p, c in (await database_cpu(monitor)).items())
            )
            firsts.append(seconds)
            cpu_firsts.append(cpu)
            seconds, cpu = await floor(url, device, device_id, employees, "punches_floor")
            floors.append(seconds)
            cpu_floors.append(cpu)
            fk_floors.append((await floor(url, device, device_id, employees, "punches_floor_fk"))[0])
        await monitor.close()
        first, bottom, fk_bottom = min(firsts), min(floors), min(fk_floors)
        cpu_first, cpu_bottom = statistics.median(cpu_firsts), statistics.median(cpu_floors)
        counts = next(iter(run.counts["devices"].values()))
        stored = await count_punches(db)
        assert counts["new"] == stored == records, (counts, stored)
        ratio = first / bottom
        rows.append([
            f"floor: read_device + UTC + COPY into a table LIKE punches, best of {repeat}", f"{bottom:.3f}", "1×",
            "runs " + ", ".join(f"{t:.2f}" for t in floors),
        ])  # fmt: skip
        rows.append([
            f"floor with the two foreign keys punches had before 0014 (checked per row), best of {repeat}",
            f"{fk_bottom:.3f}",
            f"{fk_bottom / bottom:.2f}× the floor", "runs " + ", ".join(f"{t:.2f}" for t in fk_floors),
        ])  # fmt: skip
        rows.append([
            f"**first sync_devices job, {records:,} new punches** (read + UTC + store + JobRun), best of {repeat}",
            f"**{first:.3f}**", f"**{ratio:.2f}× the floor** (goal ≤ 1.3×: {verdict(ratio <= 1.3)})",
            f"{counts['new']:,} new, {counts['unmatched']:,} unmatched; runs " + ", ".join(f"{t:.2f}" for t in firsts),
        ])  # fmt: skip
        rows.append([
            f"CPU (this process and the database's backends): first sync / floor, median of {repeat}",
            f"{cpu_first:.2f} / {cpu_bottom:.2f}", f"{cpu_first / cpu_bottom:.2f}× (less sensitive to other load)",
            "sync " + ", ".join(f"{t:.2f}" for t in cpu_firsts)
            + "; floor " + ", ".join(f"{t:.2f}" for t in cpu_floors),
        ])  # fmt: skip
        measured = [pyzk_read(device) for _ in range(pyzk_repeat)]  # on the same log as the first sync
        count_only = min(read_count(device) for _ in range(3))
        rows.append(["floor: connect + read the record count, best of 3", f"{count_only:.4f}", "", ""])
        agains = [(await sync(db, redis, options))[0] for _ in range(3)]
        again = min(agains)
        rows.append([
            "re-sync, nothing new, best of 3", f"{again:.3f}",
            f"{again / first:.1%} of the first sync (goal < 5 %: {verdict(again / first < 0.05)})",
            "runs " + ", ".join(f"{t:.3f}" for t in agains),
        ])  # fmt: skip
        tails = []
        for turn in range(3):
            device.add_records(generate_records(records // 100, make_users(50), start=datetime(2027 + turn, 1, 1)))
            seconds, run = await sync(db, redis, options)
            tails.append(seconds)
            counts = next(iter(run.counts["devices"].values()))
            assert counts["read"] == counts["new"] + counts["duplicate"] == records // 100, counts
        tail = min(tails)
        rows.append([
            f"re-sync, {records // 100:,} new records (1 %), best of 3", f"{tail:.3f}",
            f"{tail / first:.1%} of the first sync (goal < 35 %: {verdict(tail / first < 0.35)})",
            f"{counts['read']:,} read, {counts.get('skipped', 0):,} not read again; runs "
            + ", ".join(f"{t:.3f}" for t in tails),
        ])  # fmt: skip
        notes = [
            f"First sync: {ratio:.2f}× its floor (goal ≤ 1.3×), {first / fk_bottom:.2f}× the floor with the foreign"
            f" keys punches had before migration 0014 (now checked per statement by triggers). Re-sync with nothing"
            f" new: {again / first:.1%} of the first sync (goal < 5 %). Re-sync with 1 % new: {tail / first:.1%}"
            " (goal < 35 %)."
        ]
        if measured:
            pyzk_seconds, count = min(measured)
            rows.append([
                f"pyzk get_attendance() alone (no database), best of {pyzk_repeat}", f"{pyzk_seconds:.3f}",
                f"the first sync is {pyzk_seconds / first:.1f}× faster", f"{count:,} records; runs "
                + ", ".join(f"{t:.1f}" for t, _ in measured),
            ])  # fmt: skip
            notes.append(
                f"pyzk anchor: unmodified pyzk 0.9 `ZK.get_attendance()` over TCP against `sandbox/zk` with"
                f" {count:,} records, on this machine in the same run: {pyzk_seconds:.1f} s (best of {pyzk_repeat})."
            )
        return rows, notes
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
            await forget_everything(db)  # an empty table and devices never synced
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
    load_before = os.getloadavg()
    async with ScratchDatabase("zk") as url:
        rows, notes = await one_device(url, args.records, 0 if args.skip_pyzk else args.pyzk_repeat, args.repeat)
    fleet_rows: list[list[object]] = []
    if args.devices:
        async with ScratchDatabase("zkfleet") as url:
            fleet_rows = await fleet(url, args.devices, args.per_device)
    body = table(["step", "seconds", "against the goal", "check"], rows + [[*r[:2], "", r[2]] for r in fleet_rows])
    body += "\n\n" + "\n".join(f"- {note}" for note in notes)
    body += (
        "\n\nOne emulated device (sandbox/zk, 40-byte records, loopback TCP) and PostgreSQL on the same 2 cores as"
        " everything else on this shared machine; load average (1/5/15 min) before"
        f" {'/'.join(f'{x:.2f}' for x in load_before)}, after {'/'.join(f'{x:.2f}' for x in os.getloadavg())}."
        " Best-of figures: the machine's other load only ever adds time."
    )
    title = f"ZK device sync into PostgreSQL against its floor: {args.records:,} records (40-byte, TCP)"
    record(title, body, append=not args.no_append)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--devices", type=int, default=20)
    parser.add_argument("--per-device", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3, help="full syncs of the big device (best of)")
    parser.add_argument("--pyzk-repeat", type=int, default=1, help="pyzk reads (best of; 5-30 s each)")
    parser.add_argument("--skip-pyzk", action="store_true", help="skip pyzk's get_attendance (slow)")
    parser.add_argument("--no-append", action="store_true", help="do not append the table to bench/RESULTS.md")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(parser.parse_args()))
    time.sleep(0)
