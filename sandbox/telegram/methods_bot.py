"""Bot API methods about the bot itself: getMe, commands, menu button, profile texts, getChat."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from sandbox.telegram.dispatch import CallContext, api_method
from sandbox.telegram.errors import bad_request
from sandbox.telegram.model import JSON
from sandbox.telegram.params import Params
from sandbox.telegram.sending import target_chat

logger = logging.getLogger(__name__)

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SCOPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
    | {"chat", "chat_administrators", "chat_member"}
)
_MENU_BUTTONS = frozenset({"commands", "web_app", "default"})
_LANGUAGE = re.compile(r"^([a-z]{2})?$")
_PROFILE_LIMITS = {"name": 64, "description": 512, "short_description": 120}


def scope_key(params: Params) -> str:
    """A canonical key for the ``scope`` parameter (``{"type": "default"}`` when absent)."""
    scope: Any = params.json("scope", what="BotCommandScope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    if scope["type"] in ("chat", "chat_administrators", "chat_member") and "chat_id" not in scope:
        raise bad_request("chat_id is empty")
    return json.dumps(scope, sort_keys=True)


def language_code(params: Params) -> str:
    """The ``language_code`` parameter: empty or a two-letter ISO 639-1 code."""
    code = params.string("language_code") or ""
    if not _LANGUAGE.match(code):
        raise bad_request("invalid language code specified")
    return code


@api_method("getMe")
async def get_me(ctx: CallContext, params: Params) -> JSON:
    """The bot's own User object."""
    return ctx.bot.account.get_me()


@api_method("setMyCommands")
async def set_my_commands(ctx: CallContext, params: Params) -> bool:
    """Store the command list for one scope and language (an empty list deletes it)."""
    commands: Any = params.json("commands", what="commands")
    if commands is None:
        raise bad_request('parameter "commands" is required')
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    cleaned: list[JSON] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("command description is empty" if not description else "BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": command, "description": description})
    key = (scope_key(params), language_code(params))
    if cleaned:
        ctx.bot.commands[key] = cleaned
    else:
        ctx.bot.commands.pop(key, None)
    ctx.state.changes.bump()
    return True


@api_method("getMyCommands")
async def get_my_commands(ctx: CallContext, params: Params) -> list[JSON]:
    """The commands stored for exactly this scope and language (no fallback, like Telegram)."""
    return list(ctx.bot.commands.get((scope_key(params), language_code(params)), []))


@api_method("deleteMyCommands")
async def delete_my_commands(ctx: CallContext, params: Params) -> bool:
    """Remove the commands of one scope and language."""
    ctx.bot.commands.pop((scope_key(params), language_code(params)), None)
    ctx.state.changes.bump()
    return True


@api_method("setChatMenuButton")
async def set_chat_menu_button(ctx: CallContext, params: Params) -> bool:
    """Store the menu button of one chat, or the default one when no chat_id is given."""
    button: Any = params.json("menu_button", what="MenuButton") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in _MENU_BUTTONS:
        raise bad_request("can't parse MenuButton JSON object")
    if button["type"] == "web_app":  # a Mini App: a label and the page it opens (Telegram wants https; the
        web_app = button.get("web_app")  # emulator also takes http, so the offline demo can open its console)
        text = button.get("text")
        if not isinstance(text, str) or not 1 <= len(text.strip()) <= 64:
            raise bad_request("BUTTON_TEXT_INVALID")
        url = web_app.get("url") if isinstance(web_app, dict) else None
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise bad_request("BUTTON_URL_INVALID")
        button = {"type": "web_app", "text": text, "web_app": {"url": url}}
    if params.has("chat_id"):
        chat = target_chat(ctx, params, sending=False)
        chat.menu_button = button
        ctx.state.touch(chat)
    else:
        ctx.bot.default_menu_button = button
        ctx.state.changes.bump()
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(ctx: CallContext, params: Params) -> JSON:
    """The menu button of a chat (falling back to the bot's default)."""
    if params.has("chat_id"):
        chat = target_chat(ctx, params, sending=False)
        if chat.menu_button is not None:
            return chat.menu_button
    return ctx.bot.default_menu_button or {"type": "commands"}


@api_method("getChat")
async def get_chat(ctx: CallContext, params: Params) -> JSON:
    """ChatFullInfo of a private chat."""
    chat = target_chat(ctx, params, sending=False)
    return {
        **chat.chat_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


@api_method("getChatMember")
async def get_chat_member(ctx: CallContext, params: Params) -> JSON:
    """A member of a group (creator, administrator, member; others have ``left``), or the private chat's user."""
    chat = target_chat(ctx, params, sending=False)
    user_id = params.integer("user_id", required=True, empty="user_id is empty")
    user = ctx.state.users.get(user_id or 0)
    if user is None:
        raise bad_request("PARTICIPANT_ID_INVALID")
    if chat.is_group:
        status = chat.members.get(user.id, "left")
    else:
        status = "member" if user.id == chat.user.id else "left"
    member: JSON = {"status": status, "user": user.to_api()}
    if status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False, can_manage_chat=True, can_delete_messages=True,
                      can_manage_video_chats=True, can_restrict_members=True, can_promote_members=False,
                      can_change_info=True, can_invite_users=True, can_post_stories=False,
                      can_edit_stories=False, can_delete_stories=False)  # fmt: skip
    elif status == "creator":
        member["is_anonymous"] = False
    return member


def _profile_setter(field: str) -> None:
    async def setter(ctx: CallContext, params: Params) -> bool:
        value = params.string(field) or ""
        if len(value) > _PROFILE_LIMITS[field]:
            raise bad_request(f"bot {field.replace('_', ' ')} is too long")
        key = (field, language_code(params))
        if value:
            ctx.bot.profile_texts[key] = value
        else:
            ctx.bot.profile_texts.pop(key, None)
        return True

    async def getter(ctx: CallContext, params: Params) -> JSON:
        language = language_code(params)
        texts = ctx.bot.profile_texts
        value = texts.get((field, language), texts.get((field, ""), ""))
        if field == "name" and not value:
            value = ctx.bot.account.first_name
        return {field: value}

    camel = "".join(part.capitalize() for part in field.split("_"))
    api_method(f"setMy{camel}")(setter)
    api_method(f"getMy{camel}")(getter)


for _field in _PROFILE_LIMITS:
    _profile_setter(_field)
