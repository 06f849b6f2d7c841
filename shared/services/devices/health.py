"""A device's health after a sync: failures marked on the device, HR told once (failing, back, clock off).

The rules are pure (:mod:`shared.domain.device_health`); this module applies them to the Device row and puts
the messages in the outbox in the same transaction, so an alert is sent exactly when its state is committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.device_health import drift_action, failure_alert_due, failure_status
from shared.model import Device
from shared.notify.job_messages import device_back_online, device_clock_alert, device_offline_alert
from shared.persistence import Database
from shared.services.lookups import hr_people
from shared.services.reach import notify_person

log = logging.getLogger(__name__)
ERROR_LENGTH = 500


def describe(exc: BaseException) -> str:
    """``Type: message`` for the device row and the run, without a statement's SQL and parameters."""
    shown = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    text = f"{type(shown).__name__}: {shown}".strip()
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


async def tell_hr(session: AsyncSession, text_for: Callable[[str | None], str], ref: str) -> int:
    """A message to every active HR/admin person on their channels, in their language; how many were reached."""
    sent = 0
    for person in await hr_people(session):
        if notify_person(session, person, text=text_for(person.locale), ref=ref):
            sent += 1
    return sent


@dataclass(frozen=True)
class FailureNotice:
    device_id: int
    name: str
    error: str
    unreachable: bool


async def record_failure(
    db: Database, notice: FailureNotice, *, now: datetime, offline_after: timedelta, company_timezone: str
) -> bool:
    """Mark the device failed (OFFLINE or ERROR, ``last_error``); tell HR once. True when HR was told now."""
    async with db.transaction() as session:
        device = await session.get(Device, notice.device_id, with_for_update=True)
        if device is None:
            return False
        device.status = failure_status(unreachable=notice.unreachable)
        device.last_error_at, device.last_error = now, notice.error
        due = failure_alert_due(
            now=now, last_success_at=device.last_success_at, created_at=device.created_at,
            alerted_at=device.offline_alerted_at, offline_after=offline_after,
        )  # fmt: skip
        if not due:
            return False
        device.offline_alerted_at = now
        last, error = device.last_success_at, notice.error
        await tell_hr(
            session,
            lambda locale: device_offline_alert(
                locale, device=notice.name, last_success=last, error=error, tz=company_timezone
            ),
            ref=f"device:{notice.device_id}:offline",
        )
    return True


async def note_success(
    session: AsyncSession, device: Device, *, name: str, new_punches: int, drift_seconds: int,
    device_time: datetime, drift_threshold: int, now: datetime,
) -> list[str]:  # fmt: skip
    """In the store's transaction: a device reported failing is announced back; a clock off by more than
    ``drift_threshold`` is announced once. Returns the alerts sent (``back_online``, ``clock``)."""
    sent: list[str] = []
    if device.offline_alerted_at is not None:
        device.offline_alerted_at = None
        await tell_hr(
            session,
            lambda locale: device_back_online(locale, device=name, new_punches=new_punches),
            ref=f"device:{device.id}:online",
        )
        sent.append("back_online")
    action = drift_action(
        drift_seconds=drift_seconds, threshold=drift_threshold, alerted=device.drift_alerted_at is not None
    )
    if action == "alert":
        device.drift_alerted_at = now

        def text(locale: str | None) -> str:
            return device_clock_alert(locale, device=name, drift_seconds=drift_seconds, device_time=device_time)

        await tell_hr(session, text, ref=f"device:{device.id}:clock")
        sent.append("clock")
        log.warning("device %s: clock is %+d s off; HR told", name, drift_seconds)
    elif action == "rearm":
        device.drift_alerted_at = None
    return sent
