"""Run an emulated ZK device until Ctrl-C.

python -m sandbox.zk --port 4370 --udp --records 1000 --format 40 --users 20 --live-every 5
"""

from __future__ import annotations

import argparse
import logging
import random
import signal
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

from sandbox.zk.config import DeviceConfig, FailureConfig, generate_records, make_users
from sandbox.zk.server import ZKEmulator

logger = logging.getLogger("sandbox.zk")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox.zk", description=__doc__.split("\n")[1])
    net = parser.add_argument_group("network")
    net.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    net.add_argument("--port", type=int, default=4370, help="TCP/UDP port (default 4370, 0 = any free)")
    net.add_argument("--udp", action="store_true", help="also answer over UDP (pyzk force_udp=True)")
    net.add_argument("--udp-only", action="store_true", help="answer over UDP only")
    net.add_argument("--tcp-chunk-mode", choices=("prepare", "data"), default="prepare")
    dev = parser.add_argument_group("device")
    dev.add_argument("--serial", default=DeviceConfig.serial)
    dev.add_argument("--firmware", default=DeviceConfig.firmware)
    dev.add_argument("--password", type=int, default=0, help="comm key (0 = none)")
    dev.add_argument("--format", type=int, choices=(8, 16, 40), default=40, help="attendance record size")
    dev.add_argument("--user-format", type=int, choices=(28, 72), default=None, help="user record size")
    dev.add_argument("--users", type=int, default=20, help="number of enrolled users (ids 1001...)")
    dev.add_argument("--records", type=int, default=0, help="number of generated punches")
    dev.add_argument("--start", type=datetime.fromisoformat, default=datetime(2026, 1, 5), help="first day")
    dev.add_argument("--timezone", default="UTC", help="IANA zone of the device clock")
    dev.add_argument("--clock-offset", type=float, default=0.0, help="device clock error in seconds")
    dev.add_argument("--live-every", type=float, default=0.0, help="add a live punch every N seconds")
    fail = parser.add_argument_group("failure injection")
    fail.add_argument("--delay", type=float, default=0.0, help="seconds before every reply")
    fail.add_argument("--drop-after-chunks", type=int, default=None, help="drop the connection after K chunks")
    fail.add_argument("--drop-mid-chunk", action="store_true", help="drop in the middle of the chunk")
    fail.add_argument("--count-skew", type=int, default=0, help="misreport the record count by N")
    fail.add_argument("--refuse-auth", action="store_true", help="refuse every comm key")
    fail.add_argument("--corrupt-reply-to", type=int, default=None, help="flip a bit in the next reply to CMD")
    fail.add_argument("--duplicate-reply-to", type=int, default=None, help="send the next reply to CMD twice")
    parser.add_argument("--log-level", default="INFO")
    return parser


def config_from_args(args: argparse.Namespace) -> DeviceConfig:
    users = make_users(args.users)
    return DeviceConfig(
        serial=args.serial,
        firmware=args.firmware,
        password=args.password,
        record_size=args.format,
        user_size=args.user_format,
        users=users,
        records=generate_records(args.records, users, start=args.start) if args.records else (),
        timezone=args.timezone,
        clock_offset=timedelta(seconds=args.clock_offset),
        host=args.host,
        port=args.port,
        tcp=not args.udp_only,
        udp=args.udp or args.udp_only,
        tcp_chunk_mode=args.tcp_chunk_mode,
        failures=FailureConfig(
            reply_delay=args.delay,
            drop_after_chunks=args.drop_after_chunks,
            drop_mid_chunk=args.drop_mid_chunk,
            record_count_skew=args.count_skew,
            refuse_auth=args.refuse_auth,
            corrupt_reply_to=args.corrupt_reply_to,
            duplicate_reply_to=args.duplicate_reply_to,
        ),
    )


def _punch_live(device: ZKEmulator, every: float, stop: threading.Event) -> None:
    rng = random.Random()
    while not stop.wait(every):
        user = rng.choice(device.users)
        record = device.add_record(user.user_id, punch=rng.choice((0, 1)))
        logger.info("live punch: user %s at %s%s", user.user_id, record.timestamp,
                    "" if device.enabled else " (queued: device disabled)")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with ZKEmulator(config_from_args(args)) as device:
        print(
            f"ZK emulator {device.config.serial} on {device.host}:{device.port} "
            f"({'udp' if args.udp_only else 'tcp+udp' if args.udp else 'tcp'}), "
            f"{len(device.users)} users, {device.storage.record_count} records of {args.format} bytes",
            flush=True,
        )
        if args.live_every > 0:
            threading.Thread(target=_punch_live, args=(device, args.live_every, stop), daemon=True).start()
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        stop.set()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
