"""Free-text prompts expire when the user changes the subject.

When the bot waits for typed text (the reason of a rejection, the reason of a leave request), the next
text is taken as that answer. If the user meanwhile does something else (a command, a menu button, a
button of another flow), a later "ok" must not become a rejection reason: any such update ends the
prompt, and the user is told which flow ended (and that nothing was decided or sent).
"""

from __future__ import annotations

import html

from chronos_bot import state
from chronos_bot.state import Flow, Step
from chronos_bot.turn import Turn

ANY = "*"  # free input (text, location, file): its meaning depends on the step, so routing decides
FREE_TEXT: frozenset[tuple[Flow, Step]] = frozenset(
    {
        (Flow.LEAVE, Step.REASON),
        (Flow.REJECT, Step.REASON),
        (Flow.CORRECT, Step.TIME),
        (Flow.CORRECT, Step.REASON),
        (Flow.REJECT_CORRECTION, Step.REASON),
        (Flow.WAIVE, Step.REASON),
    }
)


def waiting_for_text(turn: Turn) -> Flow | None:
    """The flow whose free-text prompt is pending, if any."""
    for flow, step in FREE_TEXT:
        if state.in_step(turn.session, flow, step):
            return flow
    return None


async def expire(turn: Turn, subject: str | None) -> None:
    """End a pending free-text prompt unless the update belongs to its flow (``subject``); say so."""
    pending = waiting_for_text(turn)
    if pending is None or subject == ANY or subject == pending.value:
        return
    t = turn.t
    if pending is Flow.REJECT:
        name = html.escape(str(turn.session.data.get("name") or "?"))
        text = t("ℹ️ I stopped the rejection of the leave of {name}: nothing was decided and the request "
                 "still waits for your decision.", name=name)  # fmt: skip
    elif pending is Flow.REJECT_CORRECTION:
        name = html.escape(str(turn.session.data.get("name") or "?"))
        text = t("ℹ️ I stopped the rejection of the correction of {name}: nothing was decided and it still "
                 "waits for your decision.", name=name)  # fmt: skip
    elif pending is Flow.WAIVE:
        text = t("ℹ️ I stopped the waiver: the lateness notice stands. Use /lateness to start again.")
    elif pending is Flow.CORRECT:
        text = t("ℹ️ I stopped your correction: it was not sent. Use /correct to start again.")
    else:
        message_id = turn.session.data.get("msg")
        if isinstance(message_id, int):
            await turn.drop_buttons(message_id)
        text = t("ℹ️ I stopped your leave request: it was not sent. Use /leave to start again.")
    state.clear(turn.session)
    await turn.say(text)


async def expire_for_menu(turn: Turn) -> None:
    """A menu button is another subject (routing calls this before running it)."""
    await expire(turn, None)
