"""Starting a service on its own (`python -m api | chronos_bot | scheduler`): settings checked, logs set up."""

from __future__ import annotations

import sys

from shared.config import ConfigError, Settings, load_settings
from shared.log import configure_logging


def config_exit(exc: ConfigError) -> SystemExit:
    """The one-line message an operator reads in the container log, and exit code 2."""
    print(f"ConfigError: {exc}", file=sys.stderr)
    return SystemExit(2)


def service_settings(service: str) -> Settings:
    """Settings from the environment, refused with one actionable line when wrong; logging configured."""
    try:
        settings = load_settings()
        settings.require_service_ready(service)
    except ConfigError as exc:
        raise config_exit(exc) from None
    configure_logging(
        service=service, stage=settings.stage, fmt=settings.effective_log_format, level=settings.log_level
    )
    return settings
