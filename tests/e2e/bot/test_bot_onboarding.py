"""Onboarding through the real bot: deep link, code typed later, the wrong-code limit, deactivated people."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from shared.domain.enums import Role
from shared.model import AuditLog, Employee
from shared.services.org.invitations import create_invitation
from tests.e2e.bot.harness import PEPPER, Harness, has

pytestmark = pytest.mark.e2e

NEWBIE = 9100


async def _newbie(h: Harness, *, active: bool = True) -> tuple[int, str]:
    """A new employee without Telegram, and a fresh invitation code for them."""
    async with h.db.transaction() as session:
        person = Employee(code="N1", full_name="Nina Newbie", role=Role.EMPLOYEE, department_id=h.company.department_id,
                          manager_id=h.company.manager_id, hire_date=date(2024, 1, 1))  # fmt: skip
        session.add(person)
        await session.flush()
        created = await create_invitation(
            session, employee_id=person.id, actor=h.company.hr, pepper=PEPPER, now=datetime.now(UTC)
        )
        if not active:
            person.active = False
        return person.id, created.code


async def _linked_to(h: Harness, employee_id: int) -> int | None:
    async with h.db.session() as session:
        return (await session.get(Employee, employee_id)).telegram_user_id


async def test_a_deep_link_start_links_the_account_and_shows_the_employee_menu(h: Harness) -> None:
    employee_id, code = await _newbie(h)
    await h.control.ensure_user(NEWBIE, "Nina", language_code="en")

    welcome = await h.send(NEWBIE, f"/start {code}", has("Welcome, Nina Newbie"))

    assert await _linked_to(h, employee_id) == NEWBIE
    assert "/checkin" in welcome["text"] and "/invite" not in welcome["text"]
    labels = [b["text"] for row in welcome["keyboard"] for b in row]
    assert labels == ["📍 Check in", "🏁 Check out", "🌴 Request leave", "🗂 My requests", "💼 Balance",
                      "🗓 Who's out", "🌐 Language", "❓ Help"]  # fmt: skip
    async with h.db.session() as session:
        actions = set(await session.scalars(select(AuditLog.action)))
    assert {"redeem", "link_telegram"} <= actions


async def test_start_without_a_code_asks_for_it_and_the_typed_code_links(h: Harness) -> None:
    employee_id, code = await _newbie(h)
    await h.control.ensure_user(NEWBIE, "Nina", language_code="en")

    await h.send(NEWBIE, "/start", has("send me the invitation code"))
    await h.send(NEWBIE, code.lower(), has("Welcome, Nina Newbie"))

    assert await _linked_to(h, employee_id) == NEWBIE


async def test_an_unlinked_user_can_do_nothing_but_give_a_code(h: Harness) -> None:
    await h.control.ensure_user(NEWBIE, "Nina", language_code="en")

    for command in ("/checkin", "/leave", "/balance", "/pending", "/invite B1"):
        reply = await h.send(NEWBIE, command, has("invitation code"))
        assert "Checked in" not in reply["text"]
    async with h.db.session() as session:
        assert await session.scalar(select(Employee).where(Employee.telegram_user_id == NEWBIE)) is None


async def test_five_wrong_codes_in_an_hour_lock_the_user_out_even_with_the_right_code(h: Harness) -> None:
    employee_id, code = await _newbie(h)
    await h.control.ensure_user(NEWBIE, "Nina", language_code="en")
    await h.send(NEWBIE, "/start", has("invitation code"))

    replies = [(await h.send(NEWBIE, f"WRONG-{n}", has("not valid")))["text"] for n in range(5)]
    locked = await h.send(NEWBIE, code, has("Too many wrong codes"))

    assert "4 more tries" in replies[0] and "last try" in replies[4]
    assert "minutes" in locked["text"]
    assert await _linked_to(h, employee_id) is None


async def test_a_deactivated_employee_is_refused_politely(h: Harness) -> None:
    _employee_id, code = await _newbie(h, active=False)
    await h.control.ensure_user(NEWBIE, "Nina", language_code="en")

    refused = await h.send(NEWBIE, f"/start {code}", has("deactivated"))
    assert "contact HR" in refused["text"]

    async with h.db.transaction() as session:
        bob = await session.get(Employee, h.company.bob_id)
        bob.active = False
    again = await h.send(9004, "/checkin", has("deactivated"))
    assert "Checked in" not in again["text"]


async def test_a_linked_user_starting_again_is_welcomed_back(h: Harness) -> None:
    reply = await h.send(9004, "/start", has("Welcome back, Bob"))
    assert reply["keyboard"]


async def test_a_first_message_that_is_only_the_code_links_the_account(h: Harness) -> None:
    employee_id, code = await _newbie(h)
    await h.control.ensure_user(NEWBIE, "Nina", language_code="en")

    await h.send(NEWBIE, f"  {code[:5]}-{code[5:]} ", has("Welcome, Nina Newbie"))

    assert await _linked_to(h, employee_id) == NEWBIE


async def test_a_russian_speaker_is_answered_in_russian_after_linking_even_if_hr_guessed_english(h: Harness) -> None:
    employee_id, code = await _newbie(h)
    async with h.db.transaction() as session:
        (await session.get(Employee, employee_id)).locale = "en"
    await h.control.ensure_user(NEWBIE, "Nina", language_code="ru")

    await h.send(NEWBIE, "/start", has("код приглашения"))
    await h.send(NEWBIE, code, has("Nina Newbie"))
    balance = await h.send(NEWBIE, "/balance", has("Ваш остаток"))
    assert "Your leave balance" not in balance["text"]
    async with h.db.session() as session:
        assert (await session.get(Employee, employee_id)).locale == "ru"
