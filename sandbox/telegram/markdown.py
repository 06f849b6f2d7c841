"""MarkdownV2 and legacy Markdown parse modes, following tdlib's parsers and error wording."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.telegram.entities import Entity, link_entity, sort_entities, utf16_len

_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"
_MDV2_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}  # fmt: skip


class MarkupError(Exception):
    """Markup Telegram refuses; the message follows "can't parse entities: "."""


@dataclass
class _Open:
    kind: str
    argument: str
    units: int  # UTF-16 offset where the entity starts in the output
    chars: int  # index into the output string where the entity starts
    byte_offset: int  # where the opening marker is in the input (for errors)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _reserved_error(char: str) -> MarkupError:
    return MarkupError(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")


def _closes(kind: str, text: str, i: int) -> bool:
    ch, nxt = text[i], text[i + 1 : i + 2]
    if kind == "bold":
        return ch == "*"
    if kind == "italic":
        return ch == "_" and nxt != "_"
    if kind == "underline":
        return ch == "_" and nxt == "_"
    if kind == "strikethrough":
        return ch == "~"
    if kind == "spoiler":
        return ch == "|" and nxt == "|"
    if kind == "code":
        return ch == "`"
    if kind == "pre":
        return text[i : i + 3] == "```"
    return ch == "]"  # text_link, custom_emoji


def _skip_pre_header(text: str, i: int) -> tuple[str, int]:
    """After an opening ```: read an optional language and skip one newline."""
    n = len(text)
    end = i
    while end < n and not text[end].isspace() and text[end] != "`":
        end += 1
    language = ""
    if end != i and end < n and text[end] != "`":
        language, i = text[i:end], end
    if i < n and text[i] in "\r\n":
        i += 2 if i + 1 < n and text[i + 1] in "\r\n" and text[i] != text[i + 1] else 1
    return language, i


def _read_url(text: str, i: int, *, escapes: bool) -> tuple[str, int]:
    """Read ``(url)`` starting at the ``(``; returns the url and the index after ``)``."""
    i += 1
    start = i
    chars: list[str] = []
    while i < len(text) and text[i] != ")":
        if escapes and text[i] == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
            chars.append(text[i + 1])
            i += 2
            continue
        chars.append(text[i])
        i += 1
    if i >= len(text):
        raise MarkupError(f"Can't find end of a URL at byte offset {_byte_offset(text, start)}")
    return "".join(chars), i + 1


def _finish(kind: str, argument: str, start: int, length: int, inner: str) -> Entity | None:
    if kind == "text_link":
        return link_entity(start, length, argument, inner)
    entity: Entity = {"type": kind, "offset": start, "length": length}
    if kind == "pre" and argument:
        entity["language"] = argument
    if kind == "custom_emoji":
        entity["custom_emoji_id"] = argument.removeprefix("tg://emoji?id=")
    return entity


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """Telegram's MarkdownV2: every reserved character outside an entity must be escaped."""
    out: list[str] = []
    units = 0
    stack: list[_Open] = []
    entities: list[Entity] = []
    quote: tuple[str, int] | None = None  # (kind, start units)
    i, n = 0, len(text)

    def emit(chunk: str) -> None:
        nonlocal units
        out.append(chunk)
        units += utf16_len(chunk)

    while i < n:
        ch = text[i]
        top = stack[-1].kind if stack else None
        at_line_start = i == 0 or text[i - 1] == "\n"
        if at_line_start and top not in ("code", "pre"):
            expandable = text.startswith("**>", i)
            if ch == ">" or expandable:
                if quote is None:
                    quote = ("expandable_blockquote" if expandable else "blockquote", units)
                i += 3 if expandable else 1
                continue
            if quote is not None:
                _close_quote(entities, quote, units, "".join(out))
                quote = None
        if ch == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            emit(text[i + 1])
            i += 2
            continue
        if quote is not None and text.startswith("||", i) and (i + 2 == n or text[i + 2] == "\n"):
            if quote[0] == "expandable_blockquote" and top is None:
                i += 2
                continue
        reserved = "`" if top in ("code", "pre") else _MDV2_RESERVED
        if ch not in reserved:
            emit(ch)
            i += 1
            continue
        if top is not None and _closes(top, text, i):
            opened = stack.pop()
            inner = "".join(out)[opened.chars :]
            argument = opened.argument
            i += {"underline": 2, "spoiler": 2, "pre": 3}.get(opened.kind, 1)
            if opened.kind in ("text_link", "custom_emoji"):
                if i < n and text[i] == "(":
                    argument, i = _read_url(text, i, escapes=True)
                elif opened.kind == "custom_emoji":
                    raise MarkupError(f"Custom emoji entity must contain a tg://emoji URL at byte "
                                      f"offset {opened.byte_offset}")  # fmt: skip
            if units > opened.units:
                entity = _finish(opened.kind, argument, opened.units, units - opened.units, inner)
                if entity is not None:
                    entities.append(entity)
            continue
        begin = _byte_offset(text, i)
        argument = ""
        if ch == "_" and text.startswith("__", i):
            kind, i = "underline", i + 2
        elif ch in "_*~[":
            kind, i = {"_": "italic", "*": "bold", "~": "strikethrough", "[": "text_link"}[ch], i + 1
        elif ch == "|" and text.startswith("||", i):
            kind, i = "spoiler", i + 2
        elif ch == "`" and text.startswith("```", i):
            kind = "pre"
            argument, i = _skip_pre_header(text, i + 3)
        elif ch == "`":
            kind, i = "code", i + 1
        elif ch == "!" and text.startswith("![", i):
            kind, i = "custom_emoji", i + 2
        else:
            raise _reserved_error(ch)
        stack.append(_Open(kind, argument, units, sum(len(p) for p in out), begin))
    if stack:
        opened = stack[-1]
        raise MarkupError(f"Can't find end of {_MDV2_NAMES[opened.kind]} entity at byte offset {opened.byte_offset}")
    if quote is not None:
        _close_quote(entities, quote, units, "".join(out))
    return "".join(out), sort_entities(entities)


def _close_quote(entities: list[Entity], quote: tuple[str, int], units: int, output: str) -> None:
    end = units - 1 if output.endswith("\n") else units
    if end > quote[1]:
        entities.append({"type": quote[0], "offset": quote[1], "length": end - quote[1]})


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """Legacy Markdown: ``*bold*``, ``_italic_``, ```code```, ``[text](url)``, no nesting."""
    out: list[str] = []
    units = 0
    entities: list[Entity] = []
    i, n = 0, len(text)
    closers = {"_": "_", "*": "*", "`": "`", "[": "]"}
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in closers:
            out.append(text[i + 1])
            units += 1
            i += 2
            continue
        if ch not in closers:
            out.append(ch)
            units += utf16_len(ch)
            i += 1
            continue
        begin = i
        is_pre = ch == "`" and text.startswith("```", i)
        language = ""
        if is_pre:
            language, i = _skip_pre_header(text, i + 3)
        else:
            i += 1
        start_units, start_chars = units, sum(len(p) for p in out)
        while i < n and not (text[i] == closers[ch] and (not is_pre or text.startswith("```", i))):
            out.append(text[i])
            units += utf16_len(text[i])
            i += 1
        if i >= n:
            raise MarkupError(f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}")
        i += 3 if is_pre else 1
        url = ""
        if ch == "[" and i < n and text[i] == "(":
            url, i = _read_url(text, i, escapes=False)
        if units == start_units:
            continue
        kind = {"_": "italic", "*": "bold", "[": "text_link"}.get(ch, "pre" if is_pre else "code")
        entity = _finish(kind, language or url, start_units, units - start_units,
                         "".join(out)[start_chars:])  # fmt: skip
        if entity is not None:
            entities.append(entity)
    return "".join(out), sort_entities(entities)
