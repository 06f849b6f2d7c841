"""When HR hears about a device: failing for long enough (once), a clock off by more than the threshold (once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.domain.device_health import drift_action, failure_alert_due, failure_status
from shared.domain.enums import DeviceStatus

T0 = datetime(2026, 11, 20, 8, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)


def test_a_device_that_did_not_answer_is_offline_and_any_other_failure_is_an_error() -> None:
    assert failure_status(unreachable=True) is DeviceStatus.OFFLINE
    assert failure_status(unreachable=False) is DeviceStatus.ERROR


def test_hr_is_told_once_the_device_has_not_synced_for_the_threshold() -> None:
    def due(minutes: int, alerted: datetime | None = None) -> bool:
        return failure_alert_due(
            now=T0 + timedelta(minutes=minutes), last_success_at=T0, created_at=T0 - timedelta(days=9),
            alerted_at=alerted, offline_after=HALF_HOUR,
        )  # fmt: skip

    assert not due(29) and due(30) and due(300)
    assert not due(300, alerted=T0 + HALF_HOUR)


def test_a_device_that_never_synced_counts_from_when_it_was_added() -> None:
    kwargs = {"last_success_at": None, "created_at": T0, "alerted_at": None, "offline_after": HALF_HOUR}
    assert not failure_alert_due(now=T0 + timedelta(minutes=10), **kwargs)
    assert failure_alert_due(now=T0 + timedelta(minutes=31), **kwargs)


def test_a_clock_off_by_more_than_the_threshold_either_way_is_alerted_once_and_re_armed_when_right() -> None:
    assert drift_action(drift_seconds=301, threshold=300, alerted=False) == "alert"
    assert drift_action(drift_seconds=-2_300_000_000, threshold=300, alerted=False) == "alert"
    assert drift_action(drift_seconds=301, threshold=300, alerted=True) is None
    assert drift_action(drift_seconds=300, threshold=300, alerted=False) is None
    assert drift_action(drift_seconds=-12, threshold=300, alerted=True) == "rearm"


def test_a_threshold_of_zero_never_alerts_and_re_arms_an_old_alert() -> None:
    assert drift_action(drift_seconds=10**9, threshold=0, alerted=False) is None
    assert drift_action(drift_seconds=10**9, threshold=0, alerted=True) == "rearm"


@given(st.lists(st.integers(-(10**10), 10**10), max_size=40), st.integers(1, 10**6))
def test_one_alert_per_excursion_beyond_the_threshold(drifts: list[int], threshold: int) -> None:
    alerted, alerts = False, 0
    for drift in drifts:
        action = drift_action(drift_seconds=drift, threshold=threshold, alerted=alerted)
        alerts += action == "alert"
        alerted = (alerted or action == "alert") and action != "rearm"
        assert alerted == (abs(drift) > threshold)
    excursions = sum(
        1 for i, d in enumerate(drifts) if abs(d) > threshold and (i == 0 or abs(drifts[i - 1]) <= threshold)
    )
    assert alerts == excursions
