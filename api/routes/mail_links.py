"""Links in e-mails: decide a leave request (approve / reject with a reason), stop the digest e-mail.

No token: the link is the authority (signed, and for decisions single use and expiring: see
``shared.services.leave.mail_links``). A GET never acts — mail scanners and previews open every link — it shows
a confirmation form; the form's POST acts, and only with the form's ``csrf`` value. The unsubscribe POST also
takes a mail client's RFC 8058 one-click request (``List-Unsubscribe=One-Click``), which carries no form value.
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from api import mail_pages as pages
from api.deps import DatabaseDep, NowDep, SettingsDep
from api.errors import accept_language
from shared.errors import ChronosError
from shared.i18n import Translator, translator
from shared.notify.leave_messages import describe, status_label
from shared.services.attendance.processing import today_in
from shared.services.leave.mail_actions import OpenedLink, act_on_decision_link, open_decision_link
from shared.services.leave.mail_links import APPROVE, REJECT, csrf_for, csrf_ok
from shared.services.notify.unsubscribe import read_subscription, unsubscribe_digest

router = APIRouter(prefix="/mail", tags=["e-mail links"], include_in_schema=True)
Token = Annotated[str, Path(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_.\-]+$")]
ActionQuery = Annotated[str, Query(pattern="^(approve|reject)$")]


def _visitor(request: Request, settings_locale: str) -> Translator:
    return translator(accept_language(request.headers.get("accept-language"), settings_locale))


def _failed(t: Translator, exc: ChronosError) -> HTMLResponse:
    return pages.page(t, t("This link cannot be used"), pages.paragraph(exc.render(t), "error"), exc.status)


def _decision_form(t: Translator, token: str, opened: OpenedLink, action: str) -> HTMLResponse:
    summary = f"<p>{t('Leave request from {name}', name=escape(opened.view.employee_name))}<br>"
    summary += describe(t, opened.view).replace("\n", "<br>") + "</p>"
    if opened.state.value == "used":
        return pages.page(t, t("This link was already used."), summary, 409)
    if opened.state.value == "expired":
        return pages.page(t, t("This link has expired. Decide in the bot, or with /pending."), summary, 409)
    if not opened.request_pending:
        state = status_label(t, opened.view.status)
        return pages.page(t, t("This request is already {status}.", status=state), summary, 409)
    url = f"/mail/leave/{token}"
    if action == REJECT:
        fields = pages.hidden("action", REJECT) + pages.textarea("comment", t("Why is it rejected?"), required=True)
        body = pages.form(url, csrf_for(token), fields, t("Reject the request"))
        title = t("Reject this leave request?")
    else:
        fields = pages.hidden("action", APPROVE) + pages.textarea("comment", t("Comment (optional)"))
        body = pages.form(url, csrf_for(token), fields, t("Approve the request"))
        title = t("Approve this leave request?")
    return pages.page(t, title, summary + body)


@router.get("/leave/{link_token}", summary="The confirmation form of an e-mail approval link (acts on nothing)")
async def leave_link_form(
    link_token: Token,
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    settings: SettingsDep,
    action: ActionQuery = APPROVE,
) -> HTMLResponse:
    token = link_token
    async with db.session() as session:
        try:
            opened = await open_decision_link(session, token=token, now=now)
        except ChronosError as exc:
            return _failed(_visitor(request, settings.default_locale), exc)
    return _decision_form(translator(opened.locale), token, opened, action)


@router.post("/leave/{link_token}", summary="Approve or reject through an e-mail link (once)")
async def leave_link_act(
    link_token: Token, request: Request, db: DatabaseDep, now: NowDep, settings: SettingsDep
) -> HTMLResponse:
    token = link_token
    form = await request.form()
    t = _visitor(request, settings.default_locale)
    if not csrf_ok(token, str(form.get("csrf") or "")):
        return pages.page(t, t("This link cannot be used"),
                          pages.paragraph(t("Open the link from the e-mail again and use its form."), "error"),
                          400)  # fmt: skip
    action = str(form.get("action") or "")
    if action not in (APPROVE, REJECT):
        return pages.page(t, t("This link cannot be used"),
                          pages.paragraph(t("Choose approve or reject."), "error"), 422)  # fmt: skip
    comment = str(form.get("comment") or "")[:2000]
    try:
        async with db.transaction() as session:
            opened = await open_decision_link(session, token=token, now=now)
            t = translator(opened.locale)
            outcome = await act_on_decision_link(
                session, token=token, approve=action == APPROVE, comment=comment, now=now,
                today=today_in(settings.company_timezone, now),
            )  # fmt: skip
    except ChronosError as exc:
        return _failed(t, exc)
    name = opened.view.employee_name
    if not outcome.changed:
        status = status_label(t, outcome.request.status)
        text = t("Nothing changed: the request was already {status} by {who}.", status=status,
                 who=outcome.decided_by or "?")  # fmt: skip
        return pages.page(t, t("Already decided"), pages.paragraph(text), 409)
    if action == APPROVE:
        return pages.page(
            t, t("Approved"), pages.paragraph(t("The leave of {name} is approved; they are told.", name=name))
        )
    return pages.page(
        t, t("Rejected"), pages.paragraph(t("The leave of {name} is rejected; they are told.", name=name))
    )


@router.get("/unsubscribe/{unsubscribe_token}", summary="The confirmation form of the digest's unsubscribe link")
async def unsubscribe_form(
    unsubscribe_token: Token, request: Request, db: DatabaseDep, settings: SettingsDep
) -> HTMLResponse:
    token = unsubscribe_token
    async with db.session() as session:
        try:
            found = await read_subscription(session, token=token)
        except ChronosError as exc:
            return _failed(_visitor(request, settings.default_locale), exc)
    t = translator(found.locale)
    if not found.subscribed:
        return pages.page(
            t, t("The digest e-mail is off"), pages.paragraph(t("You no longer get the digest by e-mail."))
        )
    body = pages.form(f"/mail/unsubscribe/{token}", "", "", t("Stop the digest e-mail"))
    return pages.page(t, t("Stop the daily digest by e-mail?"), body)


@router.post("/unsubscribe/{unsubscribe_token}", summary="Stop the digest e-mail (the form, or RFC 8058 one-click)")
async def unsubscribe(
    unsubscribe_token: Token, request: Request, db: DatabaseDep, settings: SettingsDep
) -> HTMLResponse:
    token = unsubscribe_token
    try:
        async with db.transaction() as session:
            found = await unsubscribe_digest(session, token=token)
    except ChronosError as exc:
        return _failed(_visitor(request, settings.default_locale), exc)
    return _unsubscribed(translator(found.locale))


def _unsubscribed(t: Translator) -> HTMLResponse:
    return pages.page(t, t("The digest e-mail is off"), pages.paragraph(t("You no longer get the digest by e-mail.")))
