"""`chronos bot`: run the Telegram bot (polling or webhook, per BOT_MODE) and the outbox sender."""

from __future__ import annotations

from typing import Annotated

import typer

from chronos_cli.runtime import fail, listen_overrides, settings_or_exit
from shared.config import ConfigError


def bot(
    host: Annotated[
        str | None, typer.Option("--host", help="webhook mode: address to listen on (default: WEBHOOK_LISTEN)")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", min=1, max=65535, help="webhook mode: port to listen on (default: WEBHOOK_PORT)"),
    ] = None,
) -> None:
    """Run the bot (BOT_MODE=polling|webhook) and the outbox sender until Ctrl-C / SIGTERM."""
    from chronos_bot.main import run

    listen_overrides(WEBHOOK_LISTEN=host, WEBHOOK_PORT=port)
    settings = settings_or_exit("bot")  # runs settings.require_service_ready("bot") and configures logging
    if (host or port) and settings.bot_mode != "webhook":
        fail("--host and --port are for BOT_MODE=webhook; in polling mode the bot listens on no port", code=2)
    try:
        run(settings)
    except ConfigError as exc:
        fail(f"ConfigError: {exc}", code=2)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
