"""`chronos bot`: run the Telegram bot (polling or webhook, per BOT_MODE) and the outbox sender."""

from __future__ import annotations

import typer

from chronos_cli.runtime import fail, settings_or_exit
from shared.config import ConfigError

app = typer.Typer(help="Run the Telegram bot (BOT_MODE=polling|webhook) and the outbox sender.")


@app.callback(invoke_without_command=True)
def bot() -> None:
    """Run the bot until Ctrl-C / SIGTERM."""
    from chronos_bot.main import run

    settings = settings_or_exit("bot")  # runs settings.require_service_ready("bot") and configures logging
    try:
        run(settings)
    except ConfigError as exc:
        fail(f"ConfigError: {exc}", code=2)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
