"""Record size detection from buffer length and reported count, and its mismatches."""

from __future__ import annotations

import struct

import pytest

from shared.zk import DeviceDataMismatch, detect_record_size, split_attendance_buffer


@pytest.mark.parametrize(
    ("length", "count", "size"),
    [(8, 1, 8), (800, 100, 8), (1600, 100, 16), (4000, 100, 40), (4_000_000, 100_000, 40), (0, 0, None)],
)
def test_the_record_size_is_the_buffer_length_divided_by_the_count(length: int, count: int, size: int | None) -> None:
    assert detect_record_size(length, count) == size


@pytest.mark.parametrize(
    ("length", "count", "message"),
    [
        (4000, 101, "reported 101 attendance records but the buffer holds 4000 bytes"),
        (4000, 200, "reported 200"),  # 20-byte records do not exist
        (4900, 100, "reported 100"),  # 49-byte records of newer firmware are not supported
        (40, 0, "reported 0 attendance records but sent 40 bytes"),
        (0, 3, "reported 3"),
    ],
)
def test_a_count_that_does_not_fit_the_buffer_is_a_data_mismatch(length: int, count: int, message: str) -> None:
    with pytest.raises(DeviceDataMismatch, match=message):
        detect_record_size(length, count)


def test_the_mismatch_message_lists_the_counts_that_would_fit() -> None:
    with pytest.raises(DeviceDataMismatch, match="100 records of 40 bytes"):
        detect_record_size(4000, 99)


def test_the_size_prefix_must_equal_the_bytes_received() -> None:
    truncated = struct.pack("<I", 4000) + b"\x00" * 3960
    with pytest.raises(DeviceDataMismatch, match="declares 4000 bytes of records but 3960 arrived"):
        split_attendance_buffer(truncated, 100)


def test_split_returns_the_size_and_the_records_without_the_prefix() -> None:
    size, data = split_attendance_buffer(struct.pack("<I", 80) + b"\x01" * 80, 10)
    assert size == 8 and bytes(data) == b"\x01" * 80


def test_a_pinned_record_size_rejects_an_ambiguous_buffer() -> None:
    # 80 bytes for 5 records read as 16-byte records, but this device is known to write 8-byte ones
    with pytest.raises(DeviceDataMismatch, match="configured for 8-byte records"):
        split_attendance_buffer(struct.pack("<I", 80) + b"\x00" * 80, 5, expected_size=8)


def test_a_buffer_shorter_than_its_prefix_is_only_fine_for_an_empty_log() -> None:
    assert split_attendance_buffer(b"", 0)[0] is None
    with pytest.raises(DeviceDataMismatch, match="2-byte buffer"):
        split_attendance_buffer(b"\x00\x00", 1)
