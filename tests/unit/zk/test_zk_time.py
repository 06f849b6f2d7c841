"""ZK ``u32`` time: encode/decode round trip, year boundaries, agreement with pyzk."""

from __future__ import annotations

import struct
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from zk import ZK

from sandbox.zk import protocol as emulator
from shared.zk import decode_zk_time, encode_zk_time

_PYZK = ZK("127.0.0.1", ommit_ping=True)  # only its private helpers are used
_PYZK._ZK__sock.close()
_times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31, 23, 59, 59)).map(
    lambda t: t.replace(microsecond=0)
)


@given(_times)
def test_decoding_an_encoded_time_gives_it_back_for_every_second_of_2000_to_2099(when: datetime) -> None:
    assert decode_zk_time(encode_zk_time(when)) == when


@given(_times)
def test_our_encoding_matches_pyzk_and_the_emulator(when: datetime) -> None:
    value = encode_zk_time(when)
    assert value == _PYZK._ZK__encode_time(when) == emulator.encode_time(when)
    assert _PYZK._ZK__decode_time(struct.pack("<I", value)) == decode_zk_time(value) == emulator.decode_time(value)


@pytest.mark.parametrize(
    ("when", "encoded"),
    [
        (datetime(2000, 1, 1, 0, 0, 0), 0),
        (datetime(2000, 1, 1, 0, 0, 1), 1),
        (datetime(2000, 12, 31, 23, 59, 59), (11 * 31 + 30) * 86400 + 86399),
        (datetime(2001, 1, 1, 0, 0, 0), 372 * 86400),
        (datetime(2099, 12, 31, 23, 59, 59), (99 * 372 + 11 * 31 + 30) * 86400 + 86399),
        (datetime(2024, 2, 29, 12, 0, 0), (24 * 372 + 31 + 28) * 86400 + 12 * 3600),
    ],
)
def test_year_and_month_boundaries_encode_to_the_documented_values(when: datetime, encoded: int) -> None:
    assert encode_zk_time(when) == encoded
    assert decode_zk_time(encoded) == when


def test_a_new_year_is_one_zk_day_after_new_years_eve() -> None:
    eve = encode_zk_time(datetime(2025, 12, 31, 23, 59, 59))
    assert decode_zk_time(eve + 1) == datetime(2026, 1, 1, 0, 0, 0)


@pytest.mark.parametrize("year", [1999, 2100])
def test_years_outside_2000_to_2099_cannot_be_encoded(year: int) -> None:
    with pytest.raises(ValueError, match="2000-2099"):
        encode_zk_time(datetime(year, 6, 1))


def test_a_day_that_does_not_exist_cannot_be_decoded() -> None:
    with pytest.raises(ValueError, match="day is out of range"):
        decode_zk_time((26 * 372 + 1 * 31 + 29) * 86400)  # 2026-02-30
