"""The digest's undelivered section: dead messages per channel and person, with the last error."""

from __future__ import annotations

from shared.domain.digest import DeadMessage, EmployeeInfo, undelivered_rows


def test_dead_messages_are_counted_per_channel_and_person_with_the_last_error():
    people = {1: EmployeeInfo(1, "A1", "Ann"), 2: EmployeeInfo(2, "B1", "bob")}
    rows = undelivered_rows(
        [
            DeadMessage("email", 1, "ann@example.com", "451 later"),
            DeadMessage("telegram", 2, "77", "Forbidden: bot was blocked"),
            DeadMessage("email", 1, "ann@example.com", "550 mailbox unavailable"),
            DeadMessage("email", None, "x@example.com", None),
        ],
        people,
    )
    assert [(r.channel, r.full_name, r.address, r.count, r.last_error) for r in rows] == [
        ("email", "Ann", "ann@example.com", 2, "550 mailbox unavailable"),
        ("email", None, "x@example.com", 1, None),
        ("telegram", "bob", "77", 1, "Forbidden: bot was blocked"),
    ]


def test_nothing_dead_means_no_section():
    assert undelivered_rows([], {}) == ()
