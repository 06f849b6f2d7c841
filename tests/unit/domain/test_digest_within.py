"""A reader limited to some people (a manager's line) sees only their rows of the digest, and none of HR's
device details, unknown badges or undeliverable messages."""

from __future__ import annotations

import datetime as dt

from shared.domain.digest import (
    CorrectionRow,
    DepartmentGroup,
    Digest,
    DigestKind,
    DigestRow,
    OfflineDevice,
    OutRow,
    UnknownUserRow,
    ViolationRow,
    digest_within,
)
from shared.domain.enums import CorrectionStatus, Direction

DAY = dt.date(2026, 11, 20)
AT = dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)


def _row(kind: DigestKind, who: int, department: str) -> DigestRow:
    return DigestRow(kind, who, f"E{who}", f"Person {who}", department, 10 if kind is DigestKind.LATE else None)


DIGEST = Digest(
    date=DAY,
    today=DAY + dt.timedelta(days=1),
    groups=(
        DepartmentGroup("Ops", (_row(DigestKind.LATE, 1, "Ops"), _row(DigestKind.ABSENT, 2, "Ops"))),
        DepartmentGroup("Sales", (_row(DigestKind.ABSENT, 3, "Sales"),)),
    ),
    unknown_users=(UnknownUserRow(1, "Gate", "77", 2, AT, AT),),
    who_is_out=(
        OutRow(2, "E2", "Person 2", "Ops", "Annual", 9, DAY),
        OutRow(3, "E3", "Person 3", "Sales", "Sick", 8, DAY),
    ),
    offline_devices=(OfflineDevice(1, "Gate"),),
    dead_outbox=4,
    counts={DigestKind.LATE: 1, DigestKind.ABSENT: 2, DigestKind.UNKNOWN_USER: 1},
    not_over_ids=frozenset({1, 3}),
    violations=(ViolationRow(1, 1, "daily_max", DAY, DAY, 30), ViolationRow(2, 3, "daily_max", DAY, DAY, 45)),
    corrections=(
        CorrectionRow(1, 2, "Person 2", DAY, Direction.OUT, AT, CorrectionStatus.PENDING),
        CorrectionRow(2, 3, "Person 3", DAY, Direction.IN, AT, CorrectionStatus.APPROVED),
    ),
)


def test_only_the_readers_people_are_left_with_their_counts():
    mine = digest_within(DIGEST, {1, 2})
    assert [g.department_name for g in mine.groups] == ["Ops"]
    assert [r.employee_id for r in mine.rows] == [1, 2]
    assert dict(mine.counts) == {DigestKind.LATE: 1, DigestKind.ABSENT: 1}
    assert [o.employee_id for o in mine.who_is_out] == [2]
    assert mine.not_over_ids == frozenset({1})
    assert [v.employee_id for v in mine.violations] == [1]
    assert [c.employee_id for c in mine.corrections] == [2]


def test_hrs_device_details_are_not_shown_to_a_limited_reader():
    mine = digest_within(DIGEST, {1, 2, 3})
    assert mine.unknown_users == () and mine.offline_devices == () and mine.dead_outbox == 0


def test_nobody_in_the_line_gives_a_quiet_digest():
    assert digest_within(DIGEST, set()).is_quiet
