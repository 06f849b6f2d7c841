"""All handler registration in one place.

Order matters: PTB tries the handlers of a group in the order they were added and runs the first that
matches. So: commands first (a command always wins, even in the middle of a flow), then buttons by
callback-data prefix (most specific first: ``lf:e:`` before the other ``lf:`` actions, a catch-all last
for data this bot never made), then plain messages by kind (location, photo/document, text), whose
meaning depends on the Redis session (``routing.Routes``). The error handler catches what escapes.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from chronos_bot.handlers import (
    approvals,
    attendance,
    hr,
    leave_request,
    menu,
    my_leave,
    onboarding,
    team,
)
from chronos_bot.handlers.errors import make_error_handler
from chronos_bot.routing import Routes
from chronos_bot.state import Flow, Step
from chronos_bot.texts import Action
from chronos_bot.turn import BotDeps, Pipeline

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def routes() -> Routes:
    """What free input means: menu labels, and per waiting step what a text / location / file answers."""
    return Routes(
        menu={
            Action.CHECK_IN: attendance.check_in,
            Action.CHECK_OUT: attendance.check_out,
            Action.LEAVE: leave_request.begin,
            Action.MY_LEAVES: my_leave.my_leaves,
            Action.BALANCE: my_leave.balance,
            Action.WHOS_OUT: team.whos_out_command,
            Action.PENDING: approvals.pending,
            Action.TEAM: team.team,
            Action.DIGEST: hr.digest,
            Action.REPORT: hr.report,
            Action.LANGUAGE: menu.language,
            Action.HELP: menu.help_command,
            Action.CANCEL: menu.cancel,
        },
        stranger_text=onboarding.on_text,
        fallback=menu.unknown,
        text_steps={
            (Flow.LEAVE, Step.REASON): leave_request.on_reason,
            (Flow.REJECT, Step.REASON): approvals.on_reject_reason,
        },
        location_steps={(Flow.CHECK, Step.LOCATION): attendance.on_location},
        file_steps={(Flow.LEAVE, Step.ATTACHMENT): leave_request.on_attachment},
        location_default=attendance.on_location,
    )


def register(app: AnyApplication, deps: BotDeps) -> None:
    """Add every handler to ``app`` (see the module docstring for why in this order)."""
    step = Pipeline(deps, stranger=onboarding.stranger, deactivated=onboarding.deactivated)
    free = routes()

    # 1. Commands. /start is the only thing a stranger may do.
    app.add_handler(CommandHandler("start", step(onboarding.start, open_to_strangers=True)))
    for name, callback in (
        ("help", menu.help_command),
        ("language", menu.language),
        ("cancel", menu.cancel),
        ("checkin", attendance.check_in),
        ("checkout", attendance.check_out),
        ("leave", leave_request.begin),
        ("myleaves", my_leave.my_leaves),
        ("balance", my_leave.balance),
        ("whosout", team.whos_out_command),
        ("team", team.team),
        ("pending", approvals.pending),
        ("invite", hr.invite),
        ("digest", hr.digest),
        ("report", hr.report),
    ):
        app.add_handler(CommandHandler(name, step(callback)))

    # 2. Buttons, by callback-data prefix; every one re-checked by the service it reaches.
    for pattern, callback in (
        (r"^lv:[ar]:\d+$", approvals.on_decision),
        (r"^lc:\d+$", my_leave.on_cancel_request),
        (r"^lt:\d+$", leave_request.on_type),
        (r"^cal:d:\d{8}$", leave_request.on_day),
        (r"^cal:m:\d{6}$", leave_request.on_month),
        (r"^cal:n$", menu.noop),
        (r"^hd:(f|am|pm|s|e|se)$", leave_request.on_half),
        (r"^lf:e:(type|dates|half|reason|attachment)$", leave_request.on_edit_step),
        (r"^lf:skip$", leave_request.on_skip),
        (r"^lf:same$", leave_request.on_same_day),
        (r"^lf:ok$", leave_request.on_confirm),
        (r"^lf:edit$", leave_request.on_edit),
        (r"^lf:cancel$", leave_request.on_cancel),
        (r"^lang:(en|ru|ar)$", menu.on_language),
        (r"^rl:\d+$", hr.on_relink),
    ):
        app.add_handler(CallbackQueryHandler(step(callback), pattern=pattern))
    app.add_handler(CallbackQueryHandler(step(menu.unknown_button)))

    # 3. Plain messages (new ones only, not edits): meaning comes from the session's step.
    new = filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(new & filters.LOCATION, step(free.on_location)))
    app.add_handler(MessageHandler(new & (filters.PHOTO | filters.Document.ALL), step(free.on_file)))
    app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, step(free.on_text, open_to_strangers=True)))
    app.add_handler(MessageHandler(new & filters.COMMAND, step(menu.unknown)))

    # 4. Whatever escapes a step: logged with the update id, the user gets an apology.
    app.add_error_handler(make_error_handler(deps))
