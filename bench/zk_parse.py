"""pyzk's get_attendance() vs our read_device() on an emulated device with 100k 40-byte records.

    .venv/bin/python bench/zk_parse.py [--records 100000] [--format 40] [--udp] [--skip-pyzk]
                                       [--no-append]

Both read over loopback TCP from the sandbox emulator; the results are checked to be equal. The
table is printed and appended to bench/RESULTS.md (the bench convention) unless --no-append.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zk import ZK

from sandbox.zk import DeviceConfig, ZKEmulator, generate_records, make_users
from shared.zk import DeviceParams, parse_attendance_buffer, read_device, records_to_utc


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds over ``repeat`` runs and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--format", type=int, choices=(8, 16, 40), default=40)
    parser.add_argument("--udp", action="store_true", help="read over UDP instead of TCP")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the fast variants (median)")
    parser.add_argument("--skip-pyzk", action="store_true", help="skip pyzk's get_attendance (slow)")
    parser.add_argument("--no-append", action="store_true", help="do not append the table to bench/RESULTS.md")
    args = parser.parse_args()

    users = make_users(50)
    started = time.perf_counter()
    config = DeviceConfig(
        users=users,
        records=generate_records(args.records, users),
        record_size=args.format,
        tcp=not args.udp,
        udp=args.udp,
        timezone="Europe/Berlin",
        record_capacity=max(200_000, args.records),
    )
    rows: list[tuple[str, float, str]] = []
    with ZKEmulator(config) as device:
        rows.append(("emulator: generate + encode records", time.perf_counter() - started, ""))
        expected = [(r.user_id, r.timestamp, r.status, r.punch) for r in device.records]
        transport = "udp" if args.udp else "tcp"
        params = DeviceParams(device.host, device.port, protocol=transport, timezone="Europe/Berlin", timeout=30)

        if not args.skip_pyzk:

            def pyzk_read() -> list[Any]:
                client = ZK(device.host, port=device.port, timeout=30, force_udp=args.udp, ommit_ping=True)
                client.connect()
                try:
                    return client.get_attendance()
                finally:
                    client.disconnect()

            seconds, attendance = timed(pyzk_read, 1)
            ok = [(a.user_id, a.timestamp, a.status, a.punch) for a in attendance] == expected
            rows.append((f"pyzk get_attendance() over {transport}", seconds, "equal" if ok else "DIFFERENT"))

        seconds, readout = timed(lambda: read_device(params, now_utc=datetime.now(UTC)), args.repeat)
        ok = [(r.device_user_id, r.local_time, r.status, r.punch) for r in readout.records] == expected
        rows.append((f"read_device() over {transport} (whole session)", seconds, "equal" if ok else "DIFFERENT"))

        blob = device.storage.attendance_blob()
        uid_map = {u.uid: u.user_id for u in users}
        seconds, (_size, parsed) = timed(lambda: parse_attendance_buffer(blob, len(expected), uid_map), args.repeat)
        rows.append(("parse_attendance_buffer() alone (included above)", seconds, f"{len(parsed)} records"))
        seconds, instants = timed(lambda: records_to_utc(parsed, "Europe/Berlin"), args.repeat)
        rows.append(("records_to_utc(Europe/Berlin) (not included above)", seconds, f"{len(instants)} instants"))

    title = f"ZK attendance read: {args.records:,} records of {args.format} bytes over loopback {transport}"
    lines = [
        f"### {title}",
        f"_{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, {platform.machine()}_",
        "",
        "| step | seconds | check |",
        "|---|---:|---|",
        *(f"| {name} | {seconds:.3f} | {check} |" for name, seconds, check in rows),
    ]
    pyzk_row = next((r for r in rows if r[0].startswith("pyzk")), None)
    ours_row = next(r for r in rows if r[0].startswith("read_device"))
    if pyzk_row:
        lines += ["", f"read_device() is {pyzk_row[1] / ours_row[1]:.0f}× faster than pyzk's get_attendance()."]
    print("\n".join(lines))
    if not args.no_append:
        results = Path(__file__).with_name("RESULTS.md")
        with results.open("a", encoding="utf-8") as handle:
            handle.write("\n" + "\n".join(lines) + "\n")
        print(f"\nappended to {results}")
    return 0 if all(check != "DIFFERENT" for _, _, check in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
