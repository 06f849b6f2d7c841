"""Logging: JSON lines in prod, readable console lines in dev; request ids ride a context variable."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# uvicorn adds "color_message" (an ANSI copy of the message) to its records: never an extra field.
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName", "color_message"}


class _ContextFilter(logging.Filter):
    def __init__(self, service: str, stage: str) -> None:
        super().__init__()
        self.service = service
        self.stage = stage

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.stage = self.stage
        record.request_id = request_id_var.get()
        return True


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    return {
        k: v
        for k, v in vars(record).items()
        if k not in _STANDARD_ATTRS and k not in {"service", "stage", "request_id"}
    }


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": getattr(record, "service", None),
            "stage": getattr(record, "stage", None),
            "request_id": getattr(record, "request_id", None),
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update(extra_fields(record))
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


class ConsoleFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extras = extra_fields(record)
        rid = getattr(record, "request_id", None)
        if rid:
            extras["request_id"] = rid
        if extras:
            text += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return text


def configure_logging(*, service: str, stage: str, fmt: str, level: str = "INFO", path: str | None = None) -> None:
    """Install one handler on the root logger (idempotent, so tests and `chronos all` may call it again);
    to stderr, or appended to the file ``path`` (the demo keeps its console for the panel and a status line)."""
    handler: logging.Handler = (
        logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(JsonFormatter() if fmt == "json" else ConsoleFormatter())
    handler.addFilter(_ContextFilter(service, stage))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_chronos", False):
            root.removeHandler(old)
    handler._chronos = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
