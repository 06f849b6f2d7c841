"""Scripted Telegram users for the fault tests: employees ask for leave through the wizard, a manager
approves, while the bot is killed and Telegram misbehaves.

The users act like patient people: they do something, wait for the answer the bot should give, and do
it again if nothing came for a while (a press on a prompt that was sent twice, a message that arrived
while the bot was down). Doing it again must never double anything: that is what the tests check.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sandbox.telegram import EmulatorClient
from sandbox.telegram.client import ControlAPIError as EmulatorError

JSON = dict[str, Any]
Check = Callable[[JSON], bool]
STEP_TIMEOUT = 90.0
RETRY_AFTER = 15.0


def has(*needles: str) -> Check:
    return lambda m: all(n in (m.get("text") or m.get("caption") or "") for n in needles)


def with_button(prefix: str) -> Check:
    return lambda m: any(d.startswith(prefix) for d in buttons(m))


def buttons(message: JSON) -> list[str]:
    return [b.get("callback_data", "") for row in message.get("buttons") or [] for b in row]


def ever_had_button(message: JSON, data: str) -> bool:
    """Whether this message showed a button with ``data``, now or before an edit."""
    versions = [message.get("buttons") or []]
    for old in message.get("history") or []:
        versions.append((old.get("reply_markup") or {}).get("inline_keyboard") or [])
    return any(b.get("callback_data") == data for rows in versions for row in rows for b in row)


@dataclass
class User:
    control: EmulatorClient
    chat: int
    log: list[str] = field(default_factory=list)

    async def bot_messages(self, after: int = 0) -> list[JSON]:
        transcript = await self.control.transcript(self.chat, after=after)
        return [m for m in transcript["messages"] if m["from_bot"] and not m["deleted"]]

    async def mark(self) -> int:
        messages = (await self.control.transcript(self.chat))["messages"]
        return max((m["message_id"] for m in messages), default=0)

    async def latest(self, check: Check, after: int = 0) -> JSON | None:
        found = [m for m in await self.bot_messages(after) if check(m)]
        return found[-1] if found else None

    async def until(self, what: str, act: Callable[[], Awaitable[Any]], done: Check, *, after: int) -> JSON:
        """Do ``act`` until a bot message after ``after`` passes ``done`` (again every RETRY_AFTER s)."""
        started = time.monotonic()
        while True:
            try:
                await act()
            except EmulatorError as exc:  # e.g. the button is gone: the bot moved on meanwhile
                self.log.append(f"{what}: {exc}")
            acted = time.monotonic()
            while time.monotonic() - acted < RETRY_AFTER:
                found = await self.latest(done, after)
                if found is not None:
                    return found
                if time.monotonic() - started > STEP_TIMEOUT:
                    texts = [m.get("text") for m in await self.bot_messages(after)]
                    raise AssertionError(f"chat {self.chat}: {what} never happened; the bot said {texts}")
                await asyncio.sleep(0.2)
            self.log.append(f"{what}: again")

    async def send(self, text: str) -> None:
        await self.control.send_text(self.chat, text)

    async def press(self, data: str) -> None:
        await self.control.press_button(self.chat, data=data)

    async def press_latest(self, check: Check, data: str) -> None:
        message = await self.latest(check)
        await self.control.press_button(self.chat, data=data, message_id=message["message_id"] if message else None)


async def check_in(user: User) -> None:
    mark = await user.mark()
    await user.until("check in", lambda: user.send("/checkin"), has("Checked in"), after=mark)


async def ask_for_leave(user: User, *, leave_type_id: int, day: date, reason: str, approver: str) -> None:
    """The whole wizard for one day off, as a person would click through it."""
    mark = await user.mark()
    await user.until("open the wizard", lambda: user.send("/leave"), with_button("lt:"), after=mark)
    mark = await user.mark()
    await user.until("pick the type", lambda: user.press_latest(with_button("lt:"), f"lt:{leave_type_id}"),
                     has("Pick the first day"), after=mark)  # fmt: skip
    await pick_day(user, day, after=mark)
    mark = await user.mark()
    await user.until("just that day", lambda: user.press_latest(with_button("lf:same"), "lf:same"),
                     with_button("hd:f"), after=mark)  # fmt: skip
    mark = await user.mark()
    await user.until("whole day", lambda: user.press_latest(with_button("hd:f"), "hd:f"),
                     has("Add a short reason"), after=mark)  # fmt: skip
    mark = await user.mark()
    await user.until("the reason", lambda: user.send(reason), has("Please check your request", reason), after=mark)
    mark = await user.mark()
    # Confirm handled again after a kill finds its request by the wizard's idempotency key; if the manager
    # approved it meanwhile, the answer says it is booked
    sent, booked = has(f"Sent to {approver}"), has("Booked")
    await user.until("confirm", lambda: user.press_latest(with_button("lf:ok"), "lf:ok"),
                     lambda m: sent(m) or booked(m), after=mark)  # fmt: skip


async def pick_day(user: User, day: date, *, after: int) -> None:
    """Page the newest start calendar to ``day``'s month and press it."""
    wanted = f"cal:d:{day:%Y%m%d}"
    started = time.monotonic()
    while time.monotonic() - started < STEP_TIMEOUT:
        calendar = await user.latest(lambda m: with_button("cal:d:")(m) and "last day" not in (m["text"] or ""), after)
        if calendar is None:
            await asyncio.sleep(0.2)
            continue
        data = buttons(calendar)
        if wanted in data:
            mark = await user.mark()
            await user.until("pick the day", lambda: user.press_latest(lambda m: wanted in buttons(m), wanted),
                             has("Now pick the last day"), after=mark)  # fmt: skip
            return
        shown = next(d for d in data if d.startswith("cal:d:"))
        forward = (day.year, day.month) > (int(shown[6:10]), int(shown[10:12]))
        months = [d for d in data if d.startswith("cal:m:")]
        try:
            await user.control.press_button(user.chat, data=max(months) if forward else min(months),
                                            message_id=calendar["message_id"])  # fmt: skip
        except EmulatorError:
            pass
        deadline = time.monotonic() + RETRY_AFTER
        while time.monotonic() < deadline:  # wait for the page to turn
            again = await user.control.message(user.chat, calendar["message_id"])
            if buttons(again) != data:
                break
            await asyncio.sleep(0.2)
    raise AssertionError(f"chat {user.chat}: could not page the calendar to {day}")


REQUEST_ID = re.compile(r"^lv:a:(\d+)$")


async def approve_everything(
    manager: User, *, expected: Callable[[], Awaitable[int | None]], is_decided: Callable[[int], Awaitable[bool]]
) -> None:
    """Press Approve on every approval request that arrives, until ``expected()`` (None while the employees
    are still asking) requests are decided."""
    decided: set[int] = set()
    pressed: dict[int, float] = {}
    last_progress = time.monotonic()
    while True:
        total = await expected()
        if total is not None and len(decided) >= total:
            return
        if time.monotonic() - last_progress > STEP_TIMEOUT:
            raise AssertionError(f"no request decided for {STEP_TIMEOUT} s; {len(decided)} of {total} decided")
        for message in await manager.bot_messages():
            for data in buttons(message):
                found = REQUEST_ID.match(data)
                if found is None:
                    continue
                request_id = int(found.group(1))
                if request_id in decided or time.monotonic() - pressed.get(request_id, -1e9) < RETRY_AFTER:
                    continue
                pressed[request_id] = time.monotonic()
                try:
                    await manager.control.press_button(manager.chat, data=data, message_id=message["message_id"])
                except EmulatorError as exc:
                    manager.log.append(f"approve {request_id}: {exc}")
        for request_id in list(pressed):
            if request_id not in decided and await is_decided(request_id):
                decided.add(request_id)
                last_progress = time.monotonic()
        await asyncio.sleep(0.3)
