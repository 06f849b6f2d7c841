"""``python -m sandbox.telegram --port 8081``: run the Bot API emulator as a process."""

from __future__ import annotations

import argparse
import asyncio
import logging

from sandbox.telegram.server import TelegramEmulator
from sandbox.telegram.store import DEFAULT_TOKEN


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.telegram", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument(
        "--token",
        action="append",
        help=f"bot token to register (repeatable; default {DEFAULT_TOKEN})",
    )
    parser.add_argument("--auto-register", action="store_true", help="accept any well-formed token")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    tokens = args.token or [DEFAULT_TOKEN]
    emulator = TelegramEmulator(
        host=args.host,
        port=args.port,
        token=tokens[0],
        bots=tokens[1:],
        auto_register=args.auto_register,
        log_level=args.log_level,
    )
    asyncio.run(emulator.serve_forever())


if __name__ == "__main__":
    main()
