"""Reply markup validation: inline keyboards, reply keyboards, keyboard removal, force reply."""

from __future__ import annotations

from typing import Any

from sandbox.telegram.errors import bad_request

Markup = dict[str, Any]

MAX_CALLBACK_DATA_BYTES = 64
_INLINE_ACTIONS = (
    "callback_data", "url", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat", "callback_game", "pay", "web_app", "copy_text",
)  # fmt: skip
_REPLY_BUTTON_FIELDS = (
    "request_location", "request_contact", "request_poll", "request_users", "request_chat", "web_app",
)  # fmt: skip
_KEYBOARD_OPTIONS = ("is_persistent", "resize_keyboard", "one_time_keyboard", "input_field_placeholder")
_URL_SCHEMES = ("http://", "https://", "tg://")


def parse_reply_markup(raw: Any) -> Markup | None:
    """Validate and normalise a ``reply_markup`` value; raises Telegram's 400 errors."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        return {"inline_keyboard": _inline_keyboard(raw["inline_keyboard"])}
    if "keyboard" in raw:
        markup: Markup = {"keyboard": _reply_keyboard(raw["keyboard"])}
        for option in (*_KEYBOARD_OPTIONS, "selective"):
            if raw.get(option) not in (None, False, ""):
                markup[option] = raw[option]
        return markup
    if raw.get("remove_keyboard") is True:
        return {"remove_keyboard": True, **({"selective": True} if raw.get("selective") else {})}
    if raw.get("force_reply") is True:
        markup = {"force_reply": True}
        for option in ("input_field_placeholder", "selective"):
            if raw.get(option):
                markup[option] = raw[option]
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _rows(raw: Any, field: str) -> list[list[Any]]:
    if not isinstance(raw, list) or not all(isinstance(row, list) for row in raw):
        raise bad_request(f'field "{field}" of the reply markup must be an Array of Arrays')
    return raw


def _inline_keyboard(raw: Any) -> list[list[dict[str, Any]]]:
    rows: list[list[dict[str, Any]]] = []
    for row in _rows(raw, "inline_keyboard"):
        buttons: list[dict[str, Any]] = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
            actions = [name for name in _INLINE_ACTIONS if name in button]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button:
                url = button["url"]
                if not isinstance(url, str) or not url.lower().startswith(_URL_SCHEMES):
                    raise bad_request("BUTTON_URL_INVALID")
            buttons.append(dict(button))
        rows.append(buttons)
    return rows


def _reply_keyboard(raw: Any) -> list[list[dict[str, Any]]]:
    rows: list[list[dict[str, Any]]] = []
    for row in _rows(raw, "keyboard"):
        buttons: list[dict[str, Any]] = []
        for button in row:
            if isinstance(button, str):
                button = {"text": button}
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse keyboard button: KeyboardButton must be a String or an Object")
            if sum(1 for name in _REPLY_BUTTON_FIELDS if button.get(name)) > 1:
                raise bad_request("can't parse keyboard button: only one of the request fields is allowed")
            buttons.append({k: v for k, v in button.items() if v not in (None, False)})
        rows.append(buttons)
    return rows


def is_inline(markup: Markup | None) -> bool:
    """Whether ``markup`` is an inline keyboard (the only markup a Message echoes back)."""
    return bool(markup) and "inline_keyboard" in markup  # type: ignore[operator]


def find_inline_button(markup: Markup | None, *, text: str | None, data: str | None) -> dict[str, Any] | None:
    """The first inline button whose text or callback_data matches."""
    if not is_inline(markup):
        return None
    assert markup is not None
    for row in markup["inline_keyboard"]:
        for button in row:
            if data is not None and button.get("callback_data") == data:
                return button
            if data is None and text is not None and button.get("text") == text:
                return button
    return None
