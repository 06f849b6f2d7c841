"""Signing in and out: a one-time code from the bot, or the Mini App's ``initData``; the language switch."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.console.web import back_to, reader, reader_locale, session_of, sign_in_form
from api.console_auth import SESSION_COOKIE, SIGN_IN_CSRF_COOKIE, clear_cookie, session_store, set_cookie
from api.deps import DatabaseDep, NowDep, RedisDep, SettingsDep
from shared.config import SUPPORTED_LOCALES
from shared.errors import ChronosError
from shared.services.console import signin
from shared.services.console.signin import SignedIn

router = APIRouter(prefix="/console", include_in_schema=False)
Text = Annotated[str, Form(max_length=4096)]


async def _start(request: Request, who: SignedIn, via: str, now: datetime, target: str) -> Response:
    locale = who.locale if who.locale in SUPPORTED_LOCALES else reader_locale(request)
    token, _session = await session_store(request).start(
        employee_id=who.employee_id, role=who.role, name=who.name, locale=locale, via=via, now=now
    )
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, max_age=None)
    clear_cookie(request, response, SIGN_IN_CSRF_COOKIE)
    return response


@router.get("")
async def home() -> Response:
    """Where a signed-in person starts: what waits on them."""
    return RedirectResponse("/console/approvals", status_code=303)


@router.get("/sign-in")
async def sign_in_page(request: Request) -> Response:
    return sign_in_form(request, "sign_in.html", step="login", next=back_to(request, "/console"))


@router.post("/sign-in/code")
async def ask_for_code(
    request: Request, db: DatabaseDep, redis: RedisDep, settings: SettingsDep, now: NowDep, login: Text
) -> Response:
    """Send a code to the person's Telegram (when they may sign in); the answer is the same either way."""
    async with db.transaction() as session:
        await signin.send_code(
            session, redis=redis, prefix=settings.redis_prefix, login=login, pepper=settings.secret_key, now=now,
            company_timezone=settings.company_timezone, ttl_seconds=settings.console_code_minutes * 60,
        )  # fmt: skip
    return sign_in_form(request, "sign_in.html", step="code", login=login, next=back_to(request, "/console"))


@router.post("/sign-in/verify")
async def verify_code(
    request: Request,
    db: DatabaseDep,
    redis: RedisDep,
    settings: SettingsDep,
    now: NowDep,
    login: Text,
    code: Annotated[str, Form(max_length=12)],
) -> Response:
    try:
        async with db.transaction() as session:
            who = await signin.redeem_code(
                session, redis=redis, prefix=settings.redis_prefix, login=login, code=code,
                pepper=settings.secret_key, now=now, company_timezone=settings.company_timezone,
            )  # fmt: skip
    except ChronosError as refused:
        return sign_in_form(
            request, "sign_in.html", http_status=refused.status, step="code", login=login,
            error=refused.render(reader(request)), next=back_to(request, "/console"),
        )  # fmt: skip
    return await _start(request, who, "code", now, back_to(request, "/console"))


@router.get("/telegram")
async def telegram_page(request: Request) -> Response:
    """The Mini App's entry: a page whose script posts Telegram's initData (from the URL fragment)."""
    return sign_in_form(request, "telegram.html", next=back_to(request, "/console"))


@router.post("/sign-in/telegram")
async def telegram_sign_in(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    init_data: Text,
    next: Annotated[str, Form(max_length=300)] = "/console",
) -> Response:
    async with db.transaction() as session:
        who = await signin.sign_in_with_init_data(
            session, init_data=init_data, bot_token=settings.telegram_bot_token,
            max_age_seconds=settings.console_init_data_max_age_seconds, now=now,
            company_timezone=settings.company_timezone,
        )  # fmt: skip
    target = next if next.startswith("/console") and "//" not in next and "\\" not in next else "/console"
    return await _start(request, who, "telegram", now, target)


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    await session_store(request).end(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/console/sign-in", status_code=303)
    clear_cookie(request, response, SESSION_COOKIE)
    return response


@router.post("/language")
async def change_language(
    request: Request, locale: Annotated[str, Form(max_length=8)], next: Annotated[str, Form(max_length=300)] = ""
) -> Response:
    session = session_of(request)
    if session is not None and locale in SUPPORTED_LOCALES:
        await session_store(request).update_locale(request.cookies.get(SESSION_COOKIE, ""), session, locale)
    target = next if next.startswith("/console") and "//" not in next and "\\" not in next else "/console"
    return RedirectResponse(target, status_code=303)
