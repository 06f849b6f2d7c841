"""Messages that are not commands go where the user is: a menu button, the step that waits, or a hint.

Text, locations and files carry no command, so they are dispatched on the Redis session's flow and
step (looked up in the tables ``registration.register`` fills), after the menu labels in any language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chronos_bot.state import Flow, Step
from chronos_bot.texts import Action, action_for_label
from chronos_bot.turn import Step as StepCallback
from chronos_bot.turn import Turn

StepKey = tuple[Flow, Step]


@dataclass
class Routes:
    """What handles free input: menu actions, and per (flow, step) what text / location / file means."""

    menu: dict[Action, StepCallback]
    stranger_text: StepCallback
    fallback: StepCallback
    text_steps: dict[StepKey, StepCallback] = field(default_factory=dict)
    location_steps: dict[StepKey, StepCallback] = field(default_factory=dict)
    file_steps: dict[StepKey, StepCallback] = field(default_factory=dict)
    location_default: StepCallback | None = None
    before_menu: StepCallback | None = None  # a menu button changes the subject (ends a free-text prompt)

    def _waiting(self, turn: Turn, table: dict[StepKey, StepCallback]) -> StepCallback | None:
        flow, step = turn.session.flow, turn.session.step
        if flow is None or step is None:
            return None
        try:
            return table.get((Flow(flow), Step(step)))
        except ValueError:
            return None

    async def on_text(self, turn: Turn) -> None:
        """Any text: a stranger's code, a menu button, the answer the current step waits for, or a hint."""
        if turn.employee is None:
            await self.stranger_text(turn)
            return
        text = (turn.message.text if turn.message else "") or ""
        action = action_for_label(text)
        if action is not None and action in self.menu:
            if self.before_menu is not None and action is not Action.CANCEL:
                await self.before_menu(turn)
            await self.menu[action](turn)
            return
        await (self._waiting(turn, self.text_steps) or self.fallback)(turn)

    async def on_location(self, turn: Turn) -> None:
        """A shared location: for the step that asked for it."""
        await (self._waiting(turn, self.location_steps) or self.location_default or self.fallback)(turn)

    async def on_file(self, turn: Turn) -> None:
        """A photo or document: for the step that asked for it."""
        await (self._waiting(turn, self.file_steps) or self.fallback)(turn)
