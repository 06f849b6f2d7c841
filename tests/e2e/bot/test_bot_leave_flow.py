"""The leave flow through the real bot: calendar, half days, reason, document, summary, policy errors, edits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from shared.domain.enums import HalfDay, LeaveStatus
from shared.model import LeaveRequest
from shared.services.leave.requests import request_leave
from tests.e2e.bot.conftest import next_monday
from tests.e2e.bot.harness import BOB, HR, MANAGER, Harness, button_data, button_texts, has, with_button

pytestmark = pytest.mark.e2e

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082"
)


async def _requests(h: Harness) -> list[LeaveRequest]:
    async with h.db.session() as session:
        return list(await session.scalars(select(LeaveRequest).order_by(LeaveRequest.id)))


async def _start_flow(h: Harness, type_id: int) -> None:
    types = await h.send(BOB, "/leave", with_button("lt:"))
    assert f"lt:{type_id}" in button_data(types)
    await h.press(BOB, data=f"lt:{type_id}", message_id=types["message_id"])
    await h.wait_for(BOB, has("Pick the first day"))


async def test_a_full_request_is_approved_by_button_and_employee_and_hr_are_told(h: Harness) -> None:
    start = next_monday(h.today)
    end = start + timedelta(days=2)
    types = await h.send(BOB, "/leave", with_button("lt:"))
    assert "Which kind of leave?" in types["text"]
    assert f"Annual leave: 20 working days left in {h.today.year}" in button_texts(types)

    await h.press(BOB, data=f"lt:{h.company.annual_id}", message_id=types["message_id"])
    calendar = await h.wait_for(BOB, has("Pick the first day"))
    assert "• day off" in calendar["text"] and "✓ approved leave" in calendar["text"]
    await h.pick_date(BOB, start)
    await h.wait_for(BOB, has("Now pick the last day"))
    await h.pick_date(BOB, end)
    halves = await h.wait_for_latest(BOB, with_button("hd:"))
    assert button_data(halves) == ["hd:f", "hd:s", "hd:e", "hd:se", "lf:cancel"]
    await h.press(BOB, data="hd:e", message_id=halves["message_id"])
    await h.wait_for(BOB, has("Add a short reason"))
    summary = await h.send(BOB, "Family trip", has("Please check your request"))

    text = summary["text"]
    assert "Annual leave" in text and "2.5 working days" in text
    # next year's balance holds this year's unused 20 (no carry-over cap) and next year's 20
    after = "17.5" if start.year == h.today.year else "37.5"
    assert f"Balance for {start.year} after this request: {after} working days" in text
    assert "Approver: Max Manager" in text
    assert "Reason: Family trip" in text
    assert button_data(summary) == ["lf:ok", "lf:edit", "lf:cancel"]

    await h.press(BOB, data="lf:ok", message_id=summary["message_id"])
    await h.wait_for(BOB, has("Sent to Max Manager for approval"))
    (request,) = await _requests(h)
    assert (request.start_date, request.end_date, request.end_half) == (start, end, HalfDay.MORNING)
    assert request.working_days == Decimal("2.5") and request.reason == "Family trip"

    approval = await h.wait_for(MANAGER, has("New leave request from Bob"))
    assert button_data(approval) == [f"lv:a:{request.id}", f"lv:r:{request.id}"]
    answered = await h.press(MANAGER, data=f"lv:a:{request.id}", message_id=approval["message_id"])
    assert answered["answer"]["text"] == "✅ Approved"
    edited = await h.control.message(MANAGER, approval["message_id"])
    assert "Approved by Max Manager" in edited["text"] and edited["buttons"] is None

    told = await h.wait_for(BOB, has("Your leave was approved by Max Manager"))
    assert "2.5 working days" in told["text"]
    await h.wait_for(HR, has("Bob's leave was approved by Max Manager"))
    assert (await _requests(h))[0].status is LeaveStatus.APPROVED


async def test_reject_asks_for_a_reason_and_the_employee_gets_it(h: Harness) -> None:
    start = next_monday(h.today, weeks=2)
    async with h.db.transaction() as session:
        request = await request_leave(
            session, actor=h.company.bob, employee_id=h.company.bob_id, leave_type_id=h.company.annual_id,
            start=start, end=start + timedelta(days=1), today=h.today, now=datetime.now(UTC),
        )  # fmt: skip
    approval = await h.wait_for(MANAGER, has("New leave request from Bob"))

    answered = await h.press(MANAGER, data=f"lv:r:{request.id}", message_id=approval["message_id"])
    assert answered["answer"]["text"] == "Please give a reason."
    prompt = await h.wait_for(MANAGER, has("Why do you reject the leave of Bob?"), after=approval["message_id"])
    assert prompt["force_reply"] is True
    done = await h.send(MANAGER, "Team offsite that week", has("Rejected."))

    assert "has been told" in done["text"]
    edited = await h.control.message(MANAGER, approval["message_id"])
    assert "Rejected by Max Manager" in edited["text"] and edited["buttons"] is None
    told = await h.wait_for(BOB, has("Your leave was rejected by Max Manager"))
    assert "Comment: Team offsite that week" in told["text"]
    (stored,) = await _requests(h)
    assert stored.status is LeaveStatus.REJECTED and stored.decision_comment == "Team offsite that week"


async def test_a_policy_failure_is_explained_and_the_dates_are_asked_again(h: Harness) -> None:
    start = next_monday(h.today)
    await _start_flow(h, h.company.annual_id)
    await h.pick_date(BOB, start)
    await h.wait_for(BOB, has("Now pick the last day"))
    # ~44 working days: more than this year's 20, and more than this year's and next year's 40 together
    await h.pick_date(BOB, start + timedelta(days=60))  # a Friday: days off do not pick

    problem = await h.wait_for(BOB, has("Not enough days left"))
    assert "available" in problem["text"]
    again = await h.wait_for(BOB, has("Pick the first day"), after=problem["message_id"])
    assert with_button("cal:d:")(again)
    await h.pick_date(BOB, start)
    await h.wait_for(BOB, has("Now pick the last day"), after=again["message_id"])
    answer = await h.press(BOB, data="lf:same")
    assert answer["answered"]
    await h.wait_for(BOB, with_button("hd:am"))


async def test_a_document_is_asked_for_when_the_type_needs_one(h: Harness) -> None:
    day = next_monday(h.today)
    await _start_flow(h, h.company.sick_id)
    await h.pick_date(BOB, day)
    await h.wait_for(BOB, has("Now pick the last day"))
    await h.press(BOB, data="lf:same")
    await h.press_then(BOB, has("Add a short reason"), data="hd:f")
    await h.press_then(BOB, has("needs a document"), data="lf:skip")

    await h.control.send_photo(BOB, PNG)
    summary = await h.wait_for(BOB, has("Please check your request"))
    assert "Document attached" in summary["text"] and "Sick leave" in summary["text"]
    await h.press_then(BOB, has("Sent to Max Manager"), data="lf:ok")
    (request,) = await _requests(h)
    assert request.attachment_file_id and request.leave_type_id == h.company.sick_id


async def test_edit_from_the_summary_changes_one_answer_and_returns_to_the_summary(h: Harness) -> None:
    day = next_monday(h.today)
    await _start_flow(h, h.company.annual_id)
    await h.pick_date(BOB, day)
    await h.wait_for(BOB, has("Now pick the last day"))
    await h.press(BOB, data="lf:same")
    await h.press_then(BOB, has("Add a short reason"), data="hd:am")
    first = await h.send(BOB, "Dentist", has("Please check your request"))
    assert "0.5 working days" in first["text"] and "(morning)" in first["text"]

    await h.press(BOB, data="lf:edit", message_id=first["message_id"])
    options = await h.control.message(BOB, first["message_id"])
    assert button_data(options) == ["lf:e:type", "lf:e:dates", "lf:e:half", "lf:e:reason", "lf:summary", "lf:cancel"]
    back = await h.press_then(BOB, has("Please check your request"), data="lf:summary")
    assert "Reason: Dentist" in back["text"] and with_button("lf:ok")(back)
    await h.press(BOB, data="lf:edit", message_id=back["message_id"])
    await h.press_then(BOB, has("Add a short reason"), data="lf:e:reason")
    second = await h.send(BOB, "Doctor, not dentist", has("Please check your request"))

    assert "Reason: Doctor, not dentist" in second["text"] and "0.5 working days" in second["text"]


async def test_a_type_without_approval_is_booked_at_once(h: Harness) -> None:
    day = next_monday(h.today)
    await _start_flow(h, h.company.free_id)
    await h.pick_date(BOB, day)
    await h.wait_for(BOB, has("Now pick the last day"))
    await h.press(BOB, data="lf:same")
    await h.press_then(BOB, has("Add a short reason"), data="hd:f")
    summary = await h.press_then(BOB, has("Please check your request"), data="lf:skip")
    assert "needs no approval" in summary["text"]

    await h.press_then(BOB, has("Booked"), data="lf:ok")
    (request,) = await _requests(h)
    assert request.status is LeaveStatus.APPROVED


async def test_cancel_leaves_the_flow_and_its_old_buttons_do_nothing(h: Harness) -> None:
    await _start_flow(h, h.company.annual_id)
    calendar = await h.wait_for_latest(BOB, with_button("cal:d:"))

    await h.send(BOB, "/cancel", has("Cancelled."))
    day = next(d for d in button_data(calendar) if d.startswith("cal:d:"))
    answer = await h.press(BOB, data=day, message_id=calendar["message_id"])

    assert "This step is over" in answer["answer"]["text"]
    assert await _requests(h) == []


async def test_my_requests_lists_them_and_cancelling_tells_the_approver(h: Harness) -> None:
    start = next_monday(h.today, weeks=3)
    async with h.db.transaction() as session:
        request = await request_leave(
            session, actor=h.company.bob, employee_id=h.company.bob_id, leave_type_id=h.company.annual_id,
            start=start, end=start + timedelta(days=4), today=h.today, now=datetime.now(UTC),
        )  # fmt: skip
    approval = await h.wait_for(MANAGER, has("New leave request from Bob"))

    listing = await h.send(BOB, "/myleaves", has("Your leave requests"))
    assert f"#{request.id} Annual leave" in listing["text"] and "pending" in listing["text"]
    answered = await h.press(BOB, data=f"lc:{request.id}", message_id=listing["message_id"])

    assert answered["answer"]["text"] == f"🚫 Request #{request.id} cancelled."
    refreshed = await h.control.message(BOB, listing["message_id"])
    assert "cancelled" in refreshed["text"] and refreshed["buttons"] is None
    await h.wait_for(MANAGER, has("was cancelled by Bob"))
    assert (await h.control.message(MANAGER, approval["message_id"]))["buttons"] is None


async def test_balance_shows_each_type_with_the_year_end_projection(h: Harness) -> None:
    reply = await h.send(BOB, "/balance", has("Your leave balance"))
    year = h.today.year
    assert f"Your leave balance for {year}" in reply["text"]
    assert "Annual leave" in reply["text"] and "Available now: 20 working days" in reply["text"]
    assert f"By the end of {year}: 20 working days" in reply["text"]
    assert f"For leave in {year + 1}: up to 40 working days" in reply["text"]


async def test_past_days_do_not_pick_say_why_and_back_returns_to_the_type(h: Harness) -> None:
    await _start_flow(h, h.company.annual_id)
    calendar = await h.wait_for_latest(BOB, with_button("cal:d:"))
    data = button_data(calendar)
    assert f"cal:d:{h.today - timedelta(days=1):%Y%m%d}" not in data, "yesterday does not pick"
    assert "cal:x" in data and "lf:back" in data
    refused = await h.press(BOB, data="cal:x", message_id=calendar["message_id"])
    assert refused["answer"]["show_alert"] is True and "cannot be picked" in refused["answer"]["text"]
    after = await h.last_id(BOB)
    await h.press(BOB, data="lf:back", message_id=calendar["message_id"])
    back = await h.wait_for(BOB, has("Which kind of leave?"), after=after)
    assert with_button("lt:")(back)


async def test_a_single_day_is_offered_the_whole_day_not_whole_days(h: Harness) -> None:
    day = next_monday(h.today)
    await _start_flow(h, h.company.annual_id)
    await h.pick_date(BOB, day)
    await h.wait_for(BOB, has("Now pick the last day"))
    options = await h.press_then(BOB, with_button("hd:am"), data="lf:same")
    labels = button_texts(options)
    assert "The whole day" in labels and "Whole days" not in labels


async def test_cancelling_approved_leave_asks_first_then_tells_the_approver_and_hr(h: Harness) -> None:
    from shared.services.leave.decisions import decide_leave

    start = next_monday(h.today, weeks=3)
    async with h.db.transaction() as session:
        request = await request_leave(
            session, actor=h.company.bob, employee_id=h.company.bob_id, leave_type_id=h.company.annual_id,
            start=start, end=start + timedelta(days=1), today=h.today, now=datetime.now(UTC),
        )  # fmt: skip
    async with h.db.transaction() as session:
        await decide_leave(session, actor=h.company.manager, request_id=request.id, approve=True, today=h.today,
                           now=datetime.now(UTC))  # fmt: skip
    listing = await h.send(BOB, "/myleaves", has("Your leave requests"))
    await h.press(BOB, data=f"lc:{request.id}", message_id=listing["message_id"])
    asked = await h.control.message(BOB, listing["message_id"])
    assert "Your approver and HR will be told" in asked["text"]
    assert button_data(asked) == [f"lcy:{request.id}", "lck"]
    (stored,) = await _requests(h)
    assert stored.status is LeaveStatus.APPROVED, "one tap cancels nothing"

    kept = await h.press(BOB, data="lck", message_id=listing["message_id"])
    assert kept["answer"]["text"] == "Nothing was cancelled."
    await h.press(BOB, data=f"lc:{request.id}", message_id=listing["message_id"])
    done = await h.press(BOB, data=f"lcy:{request.id}", message_id=listing["message_id"])
    assert done["answer"]["text"] == f"🚫 Request #{request.id} cancelled."
    (stored,) = await _requests(h)
    assert stored.status is LeaveStatus.CANCELLED
    await h.wait_for(MANAGER, has("was cancelled by Bob"))
    await h.wait_for(HR, has("was cancelled by Bob"))


async def test_a_rejection_reason_is_shown_in_my_requests(h: Harness) -> None:
    from shared.services.leave.decisions import decide_leave

    start = next_monday(h.today, weeks=2)
    async with h.db.transaction() as session:
        request = await request_leave(
            session, actor=h.company.bob, employee_id=h.company.bob_id, leave_type_id=h.company.annual_id,
            start=start, end=start, today=h.today, now=datetime.now(UTC),
        )  # fmt: skip
    async with h.db.transaction() as session:
        await decide_leave(session, actor=h.company.manager, request_id=request.id, approve=False, today=h.today,
                           now=datetime.now(UTC), comment="Audit week")  # fmt: skip
    listing = await h.send(BOB, "/myleaves", has("Your leave requests"))
    assert "rejected" in listing["text"] and "Reason given: Audit week" in listing["text"]
