"""The linear attendance parser: the three record formats, user mapping, corrupt data."""

from __future__ import annotations

import struct
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.zk import DeviceConfig, DeviceStorage, EmulatedRecord, EmulatedUser
from shared.zk import DeviceDataMismatch, DeviceProtocolError, RawRecord, parse_attendance, parse_attendance_buffer

# 2026-01-05 08:05:07 encoded by hand: ((26*372 + 0*31 + 4) * 86400) + 8*3600 + 5*60 + 7
MONDAY_0805 = 836_035_507
MONDAY = datetime(2026, 1, 5, 8, 5, 7)
USERS = {1: "1001", 2: "1002", 7: "EMP-007"}


def prefixed(records: bytes) -> bytes:
    return struct.pack("<I", len(records)) + records


@pytest.mark.parametrize(
    ("record_size", "raw", "expected"),
    [
        pytest.param(
            8, struct.pack("<HBIB", 1, 15, MONDAY_0805, 0), RawRecord("1001", MONDAY, 15, 0, 1), id="8-mapped"
        ),
        pytest.param(
            8, struct.pack("<HBIB", 42, 1, MONDAY_0805, 1), RawRecord("42", MONDAY, 1, 1, 42), id="8-unmapped"
        ),
        pytest.param(
            16, struct.pack("<IIBB2xI", 1002, MONDAY_0805, 1, 4, 9), RawRecord("1002", MONDAY, 1, 4, 2), id="16-mapped"
        ),
        pytest.param(
            16,
            struct.pack("<IIBB2xI", 555, MONDAY_0805, 0, 1, 0),
            RawRecord("555", MONDAY, 0, 1, 555),
            id="16-unmapped",
        ),
        pytest.param(
            40,
            struct.pack("<H24sBIB8x", 7, b"EMP-007", 1, MONDAY_0805, 5),
            RawRecord("EMP-007", MONDAY, 1, 5, 7),
            id="40-text-id",
        ),
        pytest.param(
            40,
            struct.pack("<H24sBIB8x", 0, b"X" * 24, 2, MONDAY_0805, 0),
            RawRecord("X" * 24, MONDAY, 2, 0, 0),
            id="40-full-width-id",
        ),
    ],
)
def test_a_record_of_each_format_decodes_user_id_time_status_and_punch(
    record_size: int, raw: bytes, expected: RawRecord
) -> None:
    assert len(raw) == record_size
    assert parse_attendance(raw, record_size, USERS) == [expected]


def test_a_40_byte_record_decodes_user_id_and_time() -> None:
    raw = bytes.fromhex("0100") + b"1001".ljust(24, b"\x00") + bytes([1]) + struct.pack("<I", MONDAY_0805) + b"\x00" * 9
    (record,) = parse_attendance(raw, 40)
    assert (record.device_user_id, record.local_time, record.uid) == ("1001", MONDAY, 1)


def test_the_parser_accepts_a_memoryview_and_keeps_record_order() -> None:
    raw = b"".join(struct.pack("<HBIB", uid, 1, MONDAY_0805 + uid, 0) for uid in (2, 1, 2))
    records = parse_attendance(memoryview(raw), 8, USERS)
    assert [(r.device_user_id, r.local_time.second) for r in records] == [("1002", 9), ("1001", 8), ("1002", 9)]


def test_an_empty_blob_parses_to_no_records() -> None:
    assert parse_attendance(b"", 40) == []


def test_bytes_that_are_not_whole_records_are_a_data_mismatch() -> None:
    with pytest.raises(DeviceDataMismatch, match="whole number of 16-byte"):
        parse_attendance(b"\x00" * 20, 16)


def test_an_unknown_record_size_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown attendance record size 49"):
        parse_attendance(b"\x00" * 49, 49)


def test_an_impossible_date_names_the_record_and_suggests_a_format_problem() -> None:
    feb_31 = ((26 * 372) + 1 * 31 + 30) * 86400  # month index 1 = February, day 31
    raw = struct.pack("<HBIB", 1, 1, MONDAY_0805, 0) + struct.pack("<HBIB", 1, 1, feb_31, 0)
    with pytest.raises(DeviceProtocolError, match=r"record #1 .*2026-02-31"):
        parse_attendance(raw, 8)


def test_a_whole_buffer_is_validated_then_parsed() -> None:
    raw = struct.pack("<H24sBIB8x", 1, b"1001", 1, MONDAY_0805, 0) * 3
    size, records = parse_attendance_buffer(prefixed(raw), 3, USERS)
    assert size == 40 and len(records) == 3 and records[0].device_user_id == "1001"


def test_an_empty_log_parses_to_no_records_and_no_size() -> None:
    assert parse_attendance_buffer(prefixed(b""), 0) == (None, [])
    assert parse_attendance_buffer(b"", 0) == (None, [])


# --- cross-check against the emulator's independent encoder ---------------------------------------

_times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31, 23, 59, 59)).map(
    lambda t: t.replace(microsecond=0)
)
_EMU_USERS = [EmulatedUser(uid, str(1000 + uid), f"U{uid}") for uid in range(1, 6)]


@settings(max_examples=60, deadline=None)
@given(
    record_size=st.sampled_from([8, 16, 40]),
    punches=st.lists(
        st.tuples(st.sampled_from([u.user_id for u in _EMU_USERS]), _times, st.integers(0, 255), st.integers(0, 255)),
        max_size=30,
    ),
)
def test_records_encoded_by_the_emulator_parse_back_unchanged(
    record_size: int, punches: list[tuple[str, datetime, int, int]]
) -> None:
    records = [EmulatedRecord(user_id, when, status, punch) for user_id, when, status, punch in punches]
    storage = DeviceStorage(DeviceConfig(record_size=record_size, users=_EMU_USERS, records=records))
    size, parsed = parse_attendance_buffer(
        storage.attendance_blob(), len(records), {u.uid: u.user_id for u in _EMU_USERS}
    )
    assert size == (record_size if records else None)
    assert [(r.device_user_id, r.local_time, r.status, r.punch) for r in parsed] == punches
    assert [r.uid for r in parsed] == [storage.uid_of(r.user_id) for r in records]
