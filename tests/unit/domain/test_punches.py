"""Punch rules: direction codes, duplicates, alternation, geofence distance."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from shared.domain.enums import Direction, DirectionMode, PunchSource
from shared.domain.punches import (
    EARTH_RADIUS_M,
    PunchFact,
    direction_from_code,
    distance_m,
    drop_duplicates,
    inside_geofence,
    is_duplicate,
    resolve_directions,
)

IN, OUT, UNKNOWN = Direction.IN, Direction.OUT, Direction.UNKNOWN
T0 = datetime(2026, 5, 4, 7, tzinfo=UTC)

# fmt: off
CODES = [
    ("code 0 check-in is in", 0, DirectionMode.BY_CODE, IN),
    ("code 1 check-out is out", 1, DirectionMode.BY_CODE, OUT),
    ("code 2 break-out is out", 2, DirectionMode.BY_CODE, OUT),
    ("code 3 break-in is in", 3, DirectionMode.BY_CODE, IN),
    ("code 4 overtime-in is in", 4, DirectionMode.BY_CODE, IN),
    ("code 5 overtime-out is out", 5, DirectionMode.BY_CODE, OUT),
    ("code 6 is unknown", 6, DirectionMode.BY_CODE, UNKNOWN),
    ("code 255 is unknown", 255, DirectionMode.BY_CODE, UNKNOWN),
    ("a missing code is unknown", None, DirectionMode.BY_CODE, UNKNOWN),
    ("an alternating device ignores the check-in code", 0, DirectionMode.ALTERNATE, UNKNOWN),
    ("an alternating device ignores the check-out code", 1, DirectionMode.ALTERNATE, UNKNOWN),
]
# fmt: on


@pytest.mark.parametrize(("code", "mode", "expected"), [c[1:] for c in CODES], ids=[c[0] for c in CODES])
def test_direction_from_code(code, mode, expected):
    assert direction_from_code(code, mode) is expected


# fmt: off
DUPLICATES = [
    ("the same instant is a duplicate", timedelta(0), True),
    ("one minute later is a duplicate", timedelta(minutes=1), True),
    ("a second short of two minutes is a duplicate", timedelta(minutes=2) - timedelta(seconds=1), True),
    ("exactly two minutes later is not a duplicate", timedelta(minutes=2), False),
    ("two minutes and a second later is not a duplicate", timedelta(minutes=2, seconds=1), False),
    ("a punch synced out of order a minute earlier is a duplicate", timedelta(minutes=-1), True),
    ("exactly two minutes earlier is not a duplicate", timedelta(minutes=-2), False),
]
# fmt: on


@pytest.mark.parametrize(("delta", "expected"), [c[1:] for c in DUPLICATES], ids=[c[0] for c in DUPLICATES])
def test_is_duplicate(delta, expected):
    assert is_duplicate(T0, T0 + delta) is expected


def test_is_duplicate_takes_a_custom_window():
    assert is_duplicate(T0, T0 + timedelta(minutes=4), window=timedelta(minutes=5))


# (id, seconds after T0, kept seconds)
DROPS = [
    ("a burst keeps its first punch", [0, 30, 60], [0]),
    ("duplicates are measured from the previous kept punch", [0, 90, 150], [0, 150]),
    ("a punch exactly two minutes after is kept", [0, 119, 120], [0, 120]),
    ("input order does not matter", [150, 0, 90], [0, 150]),
    ("nothing to drop in a normal day", [0, 3600, 7200], [0, 3600, 7200]),
]


@pytest.mark.parametrize(("seconds", "kept"), [c[1:] for c in DROPS], ids=[c[0] for c in DROPS])
def test_drop_duplicates(seconds, kept):
    punches = [PunchFact(T0 + timedelta(seconds=s)) for s in seconds]
    assert [int((p.instant - T0).total_seconds()) for p in drop_duplicates(punches)] == kept


def test_same_instant_punches_sort_the_same_whatever_the_load_order():
    a = PunchFact(T0, OUT, PunchSource.TELEGRAM)
    b = PunchFact(T0, IN, PunchSource.DEVICE)
    assert drop_duplicates([a, b]) == drop_duplicates([b, a]) == [b]


_SHORT = {"i": IN, "o": OUT, "?": UNKNOWN}

# (id, given directions, resolved)
ALTERNATION = [
    ("a single unknown punch is a check-in", "?", "i"),
    ("two unknown punches are in then out", "??", "io"),
    ("three unknown punches end with a check-out", "???", "ioo"),
    ("four unknown punches alternate", "????", "ioio"),
    ("five unknown punches alternate and end with a check-out", "?????", "ioioo"),
    ("an unknown punch after an explicit check-in is a check-out", "i?", "io"),
    ("unknown punches after an explicit check-out start with a check-in", "o??", "oio"),
    ("explicit punches keep their direction", "ii?", "iio"),
    ("an explicit check-out in the middle re-synchronises the alternation", "?o??", "ioio"),
    ("explicit directions are never changed", "oi", "oi"),
]


@pytest.mark.parametrize(("given", "resolved"), [c[1:] for c in ALTERNATION], ids=[c[0] for c in ALTERNATION])
def test_resolve_directions(given, resolved):
    punches = [PunchFact(T0 + timedelta(hours=n), _SHORT[c]) for n, c in enumerate(given)]
    assert resolve_directions(punches) == [_SHORT[c] for c in resolved]


BERLIN_TV_TOWER = (52.520815, 13.409419)
PARIS_CENTRE = (48.856613, 2.352222)

# fmt: off
DISTANCES = [
    ("the same point is zero metres away", BERLIN_TV_TOWER, BERLIN_TV_TOWER, 0.0, 1e-6),
    ("one degree of latitude is about 111.2 km", (0.0, 0.0), (1.0, 0.0), 111_195.0, 1.0),
    ("Berlin to Paris is about 878 km on a sphere", BERLIN_TV_TOWER, PARIS_CENTRE, 878_000.0, 3_000.0),
    ("antipodes are half the circumference apart", (0.0, 0.0), (0.0, 180.0), math.pi * EARTH_RADIUS_M, 1.0),
    ("crossing the antimeridian takes the short way", (0.0, 179.5), (0.0, -179.5), 111_195.0, 1.0),
]
# fmt: on


@pytest.mark.parametrize(("a", "b", "metres", "tolerance"), [c[1:] for c in DISTANCES], ids=[c[0] for c in DISTANCES])
def test_distance_m(a, b, metres, tolerance):
    assert distance_m(*a, *b) == pytest.approx(metres, abs=tolerance)


# about 111.2 m per 0.001 degree of latitude
# fmt: off
FENCES = [
    ("the office itself is inside", (52.5, 13.4), 100, 0, True),
    ("90 m away is inside a 100 m fence", (52.5008, 13.4), 100, 0, True),
    ("111 m away is outside a 100 m fence", (52.501, 13.4), 100, 0, False),
    ("111 m away is inside when GPS accuracy is 20 m", (52.501, 13.4), 100, 20, True),
    ("a negative accuracy is not a bonus", (52.501, 13.4), 100, -50, False),
]
# fmt: on


@pytest.mark.parametrize(("point", "radius", "accuracy", "inside"), [c[1:] for c in FENCES], ids=[c[0] for c in FENCES])
def test_inside_geofence(point, radius, accuracy, inside):
    assert inside_geofence(*point, 52.5, 13.4, radius, accuracy_m=accuracy) is inside


def test_the_geofence_boundary_counts_as_inside():
    radius = distance_m(52.501, 13.4, 52.5, 13.4)
    assert inside_geofence(52.501, 13.4, 52.5, 13.4, radius)
