"""Device-local wall time → UTC: DST fall back, spring forward gap, zones without DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.zk import RawRecord, classify_local_time, local_times_to_utc, records_to_utc, to_utc

BERLIN = ZoneInfo("Europe/Berlin")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("local", "expected", "kind"),
    [
        ("2026-10-25 01:59:59", "2026-10-24 23:59:59", "normal"),
        ("2026-10-25 02:00:00", "2026-10-25 00:00:00", "ambiguous"),  # first 02:00, still CEST
        ("2026-10-25 02:30:00", "2026-10-25 00:30:00", "ambiguous"),
        ("2026-10-25 02:59:59", "2026-10-25 00:59:59", "ambiguous"),
        ("2026-10-25 03:00:00", "2026-10-25 02:00:00", "normal"),  # CET from here
    ],
)
def test_on_the_fall_back_night_an_ambiguous_time_is_the_first_occurrence(local: str, expected: str, kind: str) -> None:
    when = datetime.fromisoformat(local)
    assert to_utc(when, BERLIN) == utc(expected)
    assert classify_local_time(when, BERLIN) == kind


@pytest.mark.parametrize(
    ("local", "expected", "kind"),
    [
        ("2026-03-29 01:59:59", "2026-03-29 00:59:59", "normal"),
        ("2026-03-29 02:00:00", "2026-03-29 01:00:00", "nonexistent"),  # = 03:00 CEST
        ("2026-03-29 02:30:00", "2026-03-29 01:30:00", "nonexistent"),  # = 03:30 CEST
        ("2026-03-29 03:00:00", "2026-03-29 01:00:00", "normal"),
        ("2026-03-29 03:30:00", "2026-03-29 01:30:00", "normal"),
    ],
)
def test_in_the_spring_forward_gap_a_time_is_shifted_forward_by_the_gap(local: str, expected: str, kind: str) -> None:
    when = datetime.fromisoformat(local)
    assert to_utc(when, "Europe/Berlin") == utc(expected)
    assert classify_local_time(when, "Europe/Berlin") == kind


def test_a_shifted_gap_time_reads_as_the_wall_time_one_hour_later() -> None:
    assert to_utc(datetime(2026, 3, 29, 2, 30), BERLIN).astimezone(BERLIN).replace(tzinfo=None) == datetime(
        2026, 3, 29, 3, 30
    )


@pytest.mark.parametrize(
    ("zone", "local", "expected"),
    [
        ("Asia/Tashkent", "2026-03-29 02:30:00", "2026-03-28 21:30:00"),
        ("Asia/Kolkata", "2026-10-25 02:30:00", "2026-10-24 21:00:00"),
        ("UTC", "2026-10-25 02:30:00", "2026-10-25 02:30:00"),
    ],
)
def test_a_zone_without_dst_is_a_fixed_offset_all_year(zone: str, local: str, expected: str) -> None:
    when = datetime.fromisoformat(local)
    assert to_utc(when, zone) == utc(expected)
    assert classify_local_time(when, zone) == "normal"


def test_an_aware_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_utc(datetime(2026, 1, 1, tzinfo=UTC), BERLIN)


def test_the_vectorised_conversion_equals_the_exact_one_through_both_dst_nights() -> None:
    times = [datetime(2026, 3, 28, 22) + timedelta(minutes=7 * i) for i in range(100)]
    times += [datetime(2026, 10, 24, 22) + timedelta(minutes=7 * i) for i in range(100)]
    assert local_times_to_utc(times, BERLIN) == [to_utc(t, BERLIN) for t in times]


def test_records_are_converted_in_order_with_the_device_zone_name() -> None:
    records = [
        RawRecord("1", datetime(2026, 10, 25, 2, 30), 1, 0, 1),
        RawRecord("1", datetime(2026, 10, 25, 3, 30), 1, 1, 1),
        RawRecord("2", datetime(2026, 3, 29, 2, 30), 1, 0, 2),
    ]
    assert records_to_utc(records, "Europe/Berlin") == [
        utc("2026-10-25 00:30:00"),
        utc("2026-10-25 02:30:00"),
        utc("2026-03-29 01:30:00"),
    ]


@settings(max_examples=200)
@given(
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Tehran", "UTC"]),
    times=st.lists(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)), max_size=20),
)
def test_the_hourly_offset_cache_never_changes_a_result(zone: str, times: list[datetime]) -> None:
    assert local_times_to_utc(times, zone) == [to_utc(t, zone) for t in times]
