"""The demo's simulated day follows each person's shift and the clock; two weeks of varied exceptions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.demo.day_plan import due_punches, shift_punches
from sandbox.demo.punches import EMPLOYEE_ZONE, HABITS, IN, OUT, Badge, device_records, stranger_records
from sandbox.demo.runner import PERSONAS, badges, punching
from sandbox.demo.seed import PEOPLE

DAY = Badge("9", "Dmitry Sokolov")
NIGHT = Badge("17", "Ivan Kuznetsov", night=True)
MONDAY = date(2026, 11, 30)


def test_a_shift_alternates_in_and_out_and_keeps_to_its_hours():
    for offset in range(5):
        day = MONDAY + timedelta(days=offset)
        punches = shift_punches(DAY, day)
        assert [p.code for p in punches] in ([IN, OUT], [IN, OUT, IN, OUT])
        local = [p.moment.astimezone(EMPLOYEE_ZONE) for p in punches]
        assert 8 <= local[0].hour <= 9 and 18 <= local[-1].hour <= 18 and local == sorted(local)
        night = [p.moment.astimezone(EMPLOYEE_ZONE) for p in shift_punches(NIGHT, day)]
        assert night[0].hour in (21, 22) and night[1].date() == day + timedelta(days=1) and night[1].hour == 6


def test_nobody_is_planned_on_a_weekend():
    assert shift_punches(DAY, date(2026, 12, 5)) == [] and shift_punches(NIGHT, date(2026, 12, 6)) == []


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=7 * 24 * 60), st.lists(st.integers(1, 600), min_size=1, max_size=12))
def test_punches_fall_due_once_and_never_before_their_time(start_minute, steps):
    start = datetime(2026, 11, 30, tzinfo=UTC) + timedelta(minutes=start_minute)
    people = [DAY, NIGHT]
    seen = []
    last = start
    for step in steps:
        now = last + timedelta(minutes=step)
        due = due_punches(people, after=last, until=now)
        assert all(last < p.moment <= now for p in due)
        seen += due
        last = now
    assert len(seen) == len(set(seen)), "no punch is written twice"


def test_the_history_holds_no_punch_after_now_at_three_in_the_morning():
    now = datetime(2026, 12, 3, 3, 0, tzinfo=EMPLOYEE_ZONE)
    records = device_records([DAY, NIGHT], zone="Europe/Berlin", today=now.date(), now=now)
    assert records and max(r.timestamp for r in records) <= now.replace(tzinfo=None)
    assert not [p for p in due_punches([DAY], after=None, until=now, since_yesterday=False)], "no day shift at 03:00"


def test_the_personas_get_no_device_punches_today_or_live_they_check_in_in_the_chat():
    office, warehouse = badges()
    persona_badges = {str(i) for i, row in enumerate(PEOPLE, 1) if row[0] in PERSONAS}
    assert persona_badges and not persona_badges & {b.device_user_id for b in punching(office) + punching(warehouse)}


def test_every_working_day_of_the_last_two_weeks_has_an_exception_and_every_day_an_unknown_badge():
    backs = set()
    for habit in HABITS.values():
        backs |= set(habit.late_minutes) | set(habit.early_leave) | habit.no_checkout | habit.absent
    assert set(range(1, 11)) <= backs  # 10 working days in 14 calendar days
    today = date(2026, 12, 3)
    days = {r.timestamp.date() for r in stranger_records(zone="Europe/London", today=today)}
    assert {today - timedelta(days=back) for back in range(1, 15)} <= days
