"""When a device's state is worth telling HR about: a failing device, a clock that is off. Pure rules.

* **Failing**: any failed sync (unreachable, refused, corrupt data, a failed store, a missed deadline) marks the
  device; HR is told once when it has not synced for ``offline_after`` (counted from the last success, or from
  when the device was added), and once more when it syncs again.
* **Clock**: HR is told once when the device clock is off by more than ``threshold`` seconds (either way);
  once it is within the threshold again the alert is re-armed. ``threshold`` 0 turns the alert off.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from shared.domain.enums import DeviceStatus

DriftAction = Literal["alert", "rearm"]


def failure_status(*, unreachable: bool) -> DeviceStatus:
    """OFFLINE when the device did not answer, ERROR for every other failure (never ONLINE)."""
    return DeviceStatus.OFFLINE if unreachable else DeviceStatus.ERROR


def failure_alert_due(
    *, now: datetime, last_success_at: datetime | None, created_at: datetime, alerted_at: datetime | None,
    offline_after: timedelta,
) -> bool:  # fmt: skip
    """True once: the first failure at least ``offline_after`` after the last success (or the device's creation)."""
    if alerted_at is not None:
        return False
    return now - (last_success_at or created_at) >= offline_after


def drift_action(*, drift_seconds: int, threshold: int, alerted: bool) -> DriftAction | None:
    """``alert`` the first time the drift exceeds ``threshold``; ``rearm`` when it is back within it."""
    if threshold <= 0:
        return "rearm" if alerted else None
    off = abs(drift_seconds) > threshold
    if off and not alerted:
        return "alert"
    if not off and alerted:
        return "rearm"
    return None
