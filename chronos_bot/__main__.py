"""`python -m chronos_bot` (and `chronos bot`): the Telegram bot and the outbox sender."""

from __future__ import annotations

from shared.bootstrap import config_exit, service_settings
from shared.config import ConfigError


def main() -> None:
    settings = service_settings("bot")
    from chronos_bot.main import run

    try:
        run(settings)
    except ConfigError as exc:
        raise config_exit(exc) from None


if __name__ == "__main__":
    main()
