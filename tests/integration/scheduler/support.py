"""Helpers the scheduler tests share (integration and e2e): a settable clock, settings, outbox and run reads."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from shared.config import Settings, load_settings
from shared.model import JobRun, OutboxMessage
from shared.persistence import Database

BERLIN = ZoneInfo("Europe/Berlin")


class Clock:
    """``clients.clock``: returns ``now`` until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def berlin(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=BERLIN)


def make_settings(db_url: str, prefix: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "redis_url": "",
        "redis_prefix": prefix,
        "company_timezone": "Europe/Berlin",
        "default_locale": "en",
        "device_timeout_seconds": 3.0,
        "device_clock_alert_seconds": 0,  # the tests move their clock; the emulated device clocks run on real time
    }
    values.update(overrides)
    return load_settings(**values)


async def outbox(db: Database, chat_id: int | None = None) -> list[OutboxMessage]:
    async with db.session() as s:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if chat_id is not None:
            query = query.where(OutboxMessage.chat_id == chat_id)
        return list(await s.scalars(query))


def texts(messages: list[OutboxMessage]) -> list[str]:
    return [m.payload.get("text") or m.payload.get("caption") or "" for m in messages]


async def job_runs(db: Database, job: str | None = None) -> list[JobRun]:
    async with db.session() as s:
        query = select(JobRun).order_by(JobRun.id)
        if job is not None:
            query = query.where(JobRun.job == job)
        return list(await s.scalars(query))
