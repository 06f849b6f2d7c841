"""Signing in to the console: a one-time code the bot sends, or a Telegram Mini App's ``initData``.

Who may sign in: an active employee (not past their leaving date) whose role is manager, HR or admin and
whose Telegram account is linked. Asking for a code never says whether the person exists (the answer is
the same either way); the code is six digits, kept hashed in Redis for ``ttl_seconds``, a person gets
``MAX_CODE_ATTEMPTS`` wrong tries per code and at most ``MAX_CODES_PER_HOUR`` codes an hour. The message
goes through the outbox, in the same transaction as the audit entry.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.domain.employment import has_access
from shared.domain.enums import Role
from shared.domain.webapp_init_data import InitDataRefused, verify_init_data
from shared.errors import N_, Forbidden, Invalid
from shared.i18n import translator
from shared.model import Employee
from shared.notify.outbox import enqueue_message
from shared.services.actor import Actor
from shared.services.audit import audit

logger = logging.getLogger(__name__)

CONSOLE_ROLES = (Role.MANAGER, Role.HR, Role.ADMIN)
MAX_CODE_ATTEMPTS = 5
MAX_CODES_PER_HOUR = 5  # nobody floods a manager's chat with codes (and guesses stay at 25 an hour)
MAX_LOGIN_LENGTH = 120
CODE_SENT = N_("Your Chronos console sign-in code is {code}. It works once, for {minutes} minutes.")
NOT_ALLOWED = N_("You cannot sign in to the console: it is for managers and HR with a linked Telegram account.")
WRONG_CODE = N_("That code is wrong or has expired; ask for a new one.")
INIT_DATA_REFUSED = {
    "malformed": N_("Telegram's sign-in data could not be read; open the console again from the bot's menu."),
    "signature": N_("Telegram's sign-in data is not genuine; open the console again from the bot's menu."),
    "expired": N_("Telegram's sign-in data is too old; open the console again from the bot's menu."),
}


@dataclass(frozen=True)
class SignedIn:
    employee_id: int
    role: Role
    name: str
    locale: str | None


def _today(employee: Employee, company_timezone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(employee.timezone or company_timezone)).date()


def may_sign_in(employee: Employee | None, *, company_timezone: str, now: datetime) -> bool:
    return (
        employee is not None
        and employee.role in CONSOLE_ROLES
        and employee.telegram_user_id is not None
        and has_access(bool(employee.active), employee.leaving_date, _today(employee, company_timezone, now))
    )


def _code_key(prefix: str, employee_id: int) -> str:
    return f"{prefix}:console:code:{employee_id}"


def _hash(code: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), code.encode(), hashlib.sha256).hexdigest()


async def _find(session: AsyncSession, login: str) -> Employee | None:
    """The employee whose code or e-mail is ``login`` (case-insensitive)."""
    text = login.strip().lower()[:MAX_LOGIN_LENGTH]
    if not text:
        return None
    return await session.scalar(
        select(Employee).where((func.lower(Employee.code) == text) | (func.lower(Employee.email) == text)).limit(1)
    )


async def send_code(
    session: AsyncSession,
    *,
    redis: Redis,
    prefix: str,
    login: str,
    pepper: str,
    now: datetime,
    company_timezone: str,
    ttl_seconds: int,
) -> int | None:
    """Send a one-time code to the Telegram chat of the person ``login`` names, when they may sign in.
    Returns their id (None when nothing was sent; the caller answers the same either way)."""
    employee = await _find(session, login)
    if employee is None or not may_sign_in(employee, company_timezone=company_timezone, now=now):
        logger.info("console code refused for an unknown or not entitled login")
        return None
    assert employee.telegram_user_id is not None
    sent_key = f"{prefix}:console:codes-sent:{employee.id}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(sent_key)
        pipe.expire(sent_key, 3600, nx=True)
        sent, _ = await pipe.execute()
    if int(sent) > MAX_CODES_PER_HOUR:
        logger.info("console code refused: %s codes this hour for employee %s", sent, employee.id)
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    key = _code_key(prefix, employee.id)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, mapping={"hash": _hash(code, pepper), "attempts": 0})
        pipe.expire(key, ttl_seconds)
        await pipe.execute()
    t = translator(employee.locale or "en")
    enqueue_message(
        session,
        chat_id=employee.telegram_user_id,
        text=t(CODE_SENT, code=code, minutes=max(1, ttl_seconds // 60)),
        parse_mode=None,
    )
    audit(session, Actor.for_employee(employee.id, employee.role), "console_code", "employee", employee.id)
    return employee.id


async def redeem_code(
    session: AsyncSession,
    *,
    redis: Redis,
    prefix: str,
    login: str,
    code: str,
    pepper: str,
    now: datetime,
    company_timezone: str,
) -> SignedIn:
    """The person ``login`` names, when ``code`` is the one sent to them (it works once); else 422."""
    employee = await _find(session, login)
    if employee is None:
        raise Invalid(WRONG_CODE)
    key = _code_key(prefix, employee.id)
    stored = await redis.hgetall(key)
    given = code.strip()[:12]
    if not stored:
        raise Invalid(WRONG_CODE)
    expected = stored.get(b"hash") or stored.get("hash")
    expected = expected.decode() if isinstance(expected, bytes) else expected
    if not given.isdigit() or not hmac.compare_digest(str(expected), _hash(given, pepper)):
        if await redis.hincrby(key, "attempts", 1) >= MAX_CODE_ATTEMPTS:
            await redis.delete(key)
        raise Invalid(WRONG_CODE)
    if not await redis.delete(key):  # two tabs racing with one code: only one wins
        raise Invalid(WRONG_CODE)
    if not may_sign_in(employee, company_timezone=company_timezone, now=now):
        raise Forbidden(NOT_ALLOWED)
    audit(session, Actor.for_employee(employee.id, employee.role), "console_sign_in", "employee", employee.id,
          new={"via": "code"})  # fmt: skip
    return SignedIn(employee.id, employee.role, employee.full_name, employee.locale)


async def sign_in_with_init_data(
    session: AsyncSession,
    *,
    init_data: str,
    bot_token: str,
    max_age_seconds: int,
    now: datetime,
    company_timezone: str,
) -> SignedIn:
    """The person whose Telegram account signed ``init_data`` (a Mini App opened from the bot's menu)."""
    try:
        user = verify_init_data(init_data, bot_token=bot_token, now=now, max_age_seconds=max_age_seconds)
    except InitDataRefused as refused:
        logger.info("console initData refused: %s", refused.reason)
        raise Forbidden(INIT_DATA_REFUSED[refused.reason]) from None
    employee = await session.scalar(select(Employee).where(Employee.telegram_user_id == user.telegram_user_id))
    if employee is None or not may_sign_in(employee, company_timezone=company_timezone, now=now):
        raise Forbidden(NOT_ALLOWED)
    audit(session, Actor.for_employee(employee.id, employee.role), "console_sign_in", "employee", employee.id,
          new={"via": "telegram"})  # fmt: skip
    return SignedIn(employee.id, employee.role, employee.full_name, employee.locale)


async def console_chats(session: AsyncSession) -> list[tuple[int, str | None]]:
    """(Telegram chat, locale) of everyone who may open the console: the chats that get its menu button."""
    rows = await session.execute(
        select(Employee.telegram_user_id, Employee.locale).where(
            Employee.role.in_(CONSOLE_ROLES), Employee.active.is_(True), Employee.telegram_user_id.is_not(None)
        )
    )
    return [(int(chat), locale) for chat, locale in rows.all() if chat is not None]
