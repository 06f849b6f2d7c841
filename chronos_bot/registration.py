"""All handler registration in one place.

Order matters: PTB tries the handlers of a group in the order they were added and runs the first that
matches. So: commands first (a command always wins, even in the middle of a flow), then buttons by
callback-data prefix (most specific first: ``lf:e:`` before the other ``lf:`` actions, a catch-all last
for data this bot never made), then plain messages by kind (location, photo/document, text), whose
meaning depends on the Redis session (``routing.Routes``). The error handler catches what escapes.

Each handler names its subject: the leave flow's buttons belong to ``Flow.LEAVE``; commands and other
buttons to no flow in particular; free input to whatever the step waits for (``prompts.ANY``). A pending
free-text prompt ends when an update of another subject arrives (``prompts.expire``).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from chronos_bot import prompts
from chronos_bot.handlers import (
    absences,
    approvals,
    attendance,
    corrections,
    delegate,
    groups,
    hr,
    lateness,
    leave_request,
    menu,
    my_leave,
    onboarding,
    overtime,
    settings,
    team,
)
from chronos_bot.handlers.errors import make_error_handler
from chronos_bot.inbox import Inbox
from chronos_bot.pipeline import Pipeline
from chronos_bot.replies import ReplyFlusher
from chronos_bot.routing import Routes
from chronos_bot.state import Flow, Step
from chronos_bot.texts import Action
from chronos_bot.turn import BotDeps

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
            (Flow.LEAVE, Step.TIMES): leave_request.on_times,
            (Flow.REJECT, Step.REASON): approvals.on_reject_reason,
            (Flow.CHECK, Step.LOCATION): attendance.on_location_text,
            (Flow.CORRECT, Step.TIME): corrections.on_time,
            (Flow.CORRECT, Step.REASON): corrections.on_reason,
            (Flow.REJECT_CORRECTION, Step.REASON): corrections.on_reject_reason,
            (Flow.WAIVE, Step.REASON): lateness.on_waive_reason,
        },
        location_steps={(Flow.CHECK, Step.LOCATION): attendance.on_location},
        file_steps={(Flow.LEAVE, Step.ATTACHMENT): leave_request.on_attachment},
        location_default=attendance.on_location,
        before_menu=prompts.expire_for_menu,
    )


def register(app: AnyApplication, deps: BotDeps, *, inbox: Inbox | None = None) -> None:
    """Add every handler to ``app`` (see the module docstring for why in this order); ``inbox``: where the
    updates wait until handled (the pipeline takes them out)."""
    flusher = ReplyFlusher(
        db=deps.db, redis=deps.redis, prefix=deps.settings.redis_prefix, journal=deps.journal,
        sessions=deps.sessions, wake_sender=lambda: deps.wake_sender(),
    )  # fmt: skip
    step = Pipeline(deps, onboarding.stranger, onboarding.deactivated, flusher, before=prompts.expire, inbox=inbox)
    free = routes()
    leave = Flow.LEAVE.value
    correct = Flow.CORRECT.value

    # 0. Groups: only /linkgroup and /unlinkgroup are answered there; anything else said in a group is ignored.
    #    They leave the user's private flows alone (a prompt waiting in the private chat is not ended from a group).
    in_groups = filters.ChatType.GROUPS
    for name, callback in (("linkgroup", groups.link_command), ("unlinkgroup", groups.unlink_command)):
        group_step = step(callback, open_to_strangers=True, subject=prompts.ANY)
        app.add_handler(CommandHandler(name, group_step, filters=in_groups))
    app.add_handler(MessageHandler(in_groups, groups.ignore))
    added = step(groups.on_added, open_to_strangers=True, subject=prompts.ANY)

    async def added_to_group(update: Any, context: Any) -> None:
        """The bot's membership changed: only a group's matters here (a private chat's is a block/unblock)."""
        if update.effective_chat is not None and update.effective_chat.type in ("group", "supergroup"):
            await added(update, context)

    app.add_handler(ChatMemberHandler(added_to_group, ChatMemberHandler.MY_CHAT_MEMBER))

    # 1. Commands. /start is the only thing a stranger may do; /cancel ends a prompt itself.
    app.add_handler(CommandHandler("start", step(onboarding.start, open_to_strangers=True)))
    app.add_handler(CommandHandler("cancel", step(menu.cancel, subject=prompts.ANY)))
    for name, callback in (
        ("help", menu.help_command),
        ("language", menu.language),
        ("settings", settings.settings),
        ("checkin", attendance.check_in),
        ("checkout", attendance.check_out),
        ("leave", leave_request.begin),
        ("myleaves", my_leave.my_leaves),
        ("balance", my_leave.balance),
        ("whosout", team.whos_out_command),
        ("calendar", absences.calendar_command),
        ("holidays", absences.holidays_command),
        ("feed", absences.feed_command),
        ("linkgroup", groups.link_command),
        ("team", team.team),
        ("pending", approvals.pending),
        ("delegate", delegate.delegate),
        ("invite", hr.invite),
        ("digest", hr.digest),
        ("report", hr.report),
        ("correct", corrections.begin),
        ("corrections", corrections.waiting),
        ("overtime", overtime.waiting),
        ("lateness", lateness.lateness),
    ):
        app.add_handler(CommandHandler(name, step(callback)))

    # 2. Buttons, by callback-data prefix; every one re-checked by the service it reaches.
    for pattern, callback, subject in (
        (r"^lv:[ar]:\d+(:\d{1,3})?$", approvals.on_decision, None),
        (r"^lc:\d+$", my_leave.on_cancel_request, None),
        (r"^lcy:\d+$", my_leave.on_cancel_request, None),
        (r"^lck$", my_leave.on_keep, None),
        (r"^lt:\d+$", leave_request.on_type, leave),
        (r"^cal:d:\d{8}$", leave_request.on_day, leave),
        (r"^cal:m:\d{6}$", leave_request.on_month, leave),
        (r"^cal:n$", menu.noop, leave),
        (r"^cal:x$", leave_request.on_blocked_day, leave),
        (r"^hd:(f|am|pm|s|e|se)$", leave_request.on_half, leave),
        (r"^lf:e:(type|dates|half|reason|attachment)$", leave_request.on_edit_step, leave),
        (r"^lf:skip$", leave_request.on_skip, leave),
        (r"^lf:same$", leave_request.on_same_day, leave),
        (r"^lf:ok$", leave_request.on_confirm, leave),
        (r"^lf:edit$", leave_request.on_edit, leave),
        (r"^lf:cancel$", leave_request.on_cancel, leave),
        (r"^lf:back$", leave_request.on_back, leave),
        (r"^lf:summary$", leave_request.on_back_to_summary, leave),
        (r"^lang:(en|ru|ar)$", menu.on_language, None),
        (r"^ch:(auto|telegram|email|both)$", settings.on_channels, None),
        (r"^rl:\d+$", hr.on_relink, None),
        (r"^dg:p:\d+$", delegate.on_person, Flow.DELEGATE.value),
        (r"^dg:d:(t|w|7|14|l\d+)$", delegate.on_period, Flow.DELEGATE.value),
        (r"^dg:x:\d+$", delegate.on_end, None),
        (r"^cr:[ar]:\d+$", corrections.on_decision, None),
        (r"^cf:d:\d{8}$", corrections.on_day, correct),
        (r"^cf:(in|out)$", corrections.on_direction, correct),
        (r"^cf:x$", corrections.on_stop, correct),
        (r"^ot:[ar]:\d+:\d{8}$", overtime.on_decision, None),
        (r"^lw:\d+$", lateness.on_waive, None),
        (r"^tc:\d{6}(:\d+)?$", absences.on_calendar_page, None),
        (r"^wo:(tw|nw|tm|nm)$", team.on_whos_out_period, None),
        (r"^fd:[pstcx]$", absences.on_feed, None),
    ):
        app.add_handler(CallbackQueryHandler(step(callback, subject=subject), pattern=pattern))
    app.add_handler(CallbackQueryHandler(step(menu.unknown_button, subject=prompts.ANY)))

    # 3. Plain messages (new ones only, not edits): meaning comes from the session's step.
    new = filters.UpdateType.MESSAGE
    anything = prompts.ANY
    app.add_handler(MessageHandler(new & filters.LOCATION, step(free.on_location, subject=anything)))
    app.add_handler(MessageHandler(new & (filters.PHOTO | filters.Document.ALL), step(free.on_file, subject=anything)))
    text = step(free.on_text, open_to_strangers=True, subject=anything)
    app.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, text))
    app.add_handler(MessageHandler(new & filters.COMMAND, step(menu.unknown)))

    # 4. Whatever escapes a step: logged with the update id, the user gets an apology.
    app.add_error_handler(make_error_handler(deps))
