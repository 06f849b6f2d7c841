"""`python -m chronos_bot` (and `chronos bot`): the Telegram bot and the outbox sender."""

from __future__ import annotations

import sys

from shared.config import ConfigError, load_settings
from shared.log import configure_logging


def main() -> None:
    try:
        settings = load_settings()
        settings.require_service_ready("bot")
    except ConfigError as exc:
        print(f"ConfigError: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    configure_logging(service="bot", stage=settings.stage, fmt=settings.effective_log_format, level=settings.log_level)
    from chronos_bot.main import run

    try:
        run(settings)
    except ConfigError as exc:
        print(f"ConfigError: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
