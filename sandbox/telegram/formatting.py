"""Parse modes (HTML, MarkdownV2, Markdown) turned into plain text + entities like Telegram.

Modelled on tdlib's parsers so that a bot which sends markup the real Bot API would
reject ("can't parse entities: ...") is rejected here too, with the same wording.
Offsets in error messages are UTF-8 byte offsets, entity offsets are UTF-16 units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sandbox.telegram.entities import (
    Entity,
    detect_entities,
    link_entity,
    merge_entities,
    sort_entities,
    trim_text,
    utf16_len,
    validate_entities,
)
from sandbox.telegram.errors import bad_request
from sandbox.telegram.markdown import MarkupError, parse_markdown, parse_markdown_v2

_HTML_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji", "span"}
    | {"pre", "code", "blockquote"}
)
_HTML_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
    "span": "spoiler", "code": "code", "pre": "pre", "tg-emoji": "custom_emoji",
}  # fmt: skip
_NAMED_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,8})|#([0-9]{1,10})|([a-zA-Z]+));")


@dataclass
class _Builder:
    """Accumulates plain text and its UTF-16 length."""

    parts: list[str] = field(default_factory=list)
    units: int = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.units += utf16_len(text)

    def text(self) -> str:
        return "".join(self.parts)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_html_entity(text: str, index: int) -> tuple[str, int] | None:
    match = _HTML_ENTITY.match(text, index)
    if match is None:
        return None
    hex_code, dec_code, name = match.groups()
    if name is not None:
        char = _NAMED_HTML_ENTITIES.get(name)
        return (char, match.end()) if char is not None else None
    code = int(hex_code, 16) if hex_code is not None else int(dec_code)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Telegram's HTML style: supported tags only, ``&lt;``-style escapes, strict nesting."""
    out = _Builder()
    stack: list[tuple[str, str, int, str]] = []  # tag, argument, utf16 start, text start
    entities: list[Entity] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&" and (decoded := _decode_html_entity(text, i)) is not None:
            out.add(decoded[0])
            i = decoded[1]
            continue
        if ch != "<":
            out.add(ch)
            i += 1
            continue
        begin = i
        i += 1
        if i < n and text[i] == "/":
            i = _close_html_tag(text, begin, stack, entities, out)
            continue
        name_start = i
        while i < n and not text[i].isspace() and text[i] not in ">/":
            i += 1
        if i >= n:
            raise MarkupError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        tag = text[name_start:i].lower()
        if tag not in _HTML_TAGS:
            raise MarkupError(f'Unsupported start tag "{tag}" at byte offset {_byte_offset(text, begin)}')
        attributes, i = _read_html_attributes(text, i, tag, begin)
        argument = ""
        if tag == "a":
            argument = attributes.get("href", "")
        elif tag == "code":
            argument = attributes.get("class", "").removeprefix("language-")
        elif tag == "span":
            if attributes.get("class") != "tg-spoiler":
                raise MarkupError(f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, begin)}')
        elif tag == "tg-emoji":
            argument = attributes.get("emoji-id", "")
        elif tag == "blockquote":
            argument = "expandable" if "expandable" in attributes else ""
        stack.append((tag, argument, out.units, out.text()))
    if stack:
        raise MarkupError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.text(), _fold_pre_code(entities)


def _read_html_attributes(text: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Read ``name="value"`` pairs up to the closing ``>``; returns them and the index after it."""
    attributes: dict[str, str] = {}
    n = len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise MarkupError(f'Unclosed start tag "{tag}" at byte offset {_byte_offset(text, begin)}')
        if text[i] == ">":
            return attributes, i + 1
        name_start = i
        while i < n and not text[i].isspace() and text[i] not in "=>":
            i += 1
        name = text[name_start:i].lower()
        if not name:
            raise MarkupError(f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(text, begin)}')
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != "=":
            attributes[name] = ""
            continue
        i += 1
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] in "'\"":
            quote, i = text[i], i + 1
            value_chars: list[str] = []
            while i < n and text[i] != quote:
                if text[i] == "&" and (decoded := _decode_html_entity(text, i)) is not None:
                    value_chars.append(decoded[0])
                    i = decoded[1]
                    continue
                value_chars.append(text[i])
                i += 1
            i += 1
            attributes[name] = "".join(value_chars)
        else:
            token_start = i
            while i < n and (text[i].isalnum() or text[i] in ".-"):
                i += 1
            if i < n and not text[i].isspace() and text[i] != ">":
                raise MarkupError(f"Unexpected end of name token at byte offset {_byte_offset(text, token_start)}")
            attributes[name] = text[token_start:i].lower()


def _close_html_tag(
    text: str, begin: int, stack: list[tuple[str, str, int, str]], entities: list[Entity], out: _Builder
) -> int:
    n = len(text)
    if not stack:
        raise MarkupError(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
    i = begin + 2
    while i < n and not text[i].isspace() and text[i] != ">":
        i += 1
    end_name = text[begin + 2 : i].lower()
    while i < n and text[i].isspace():
        i += 1
    if i >= n or text[i] != ">":
        raise MarkupError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
    tag, argument, start, text_before = stack.pop()
    if end_name and end_name != tag:
        raise MarkupError(
            f'Unmatched end tag at byte offset {_byte_offset(text, begin)}, expected "</{tag}>", found "</{end_name}>"'
        )
    length = out.units - start
    if length > 0:
        entity: Entity | None
        if tag == "a":
            entity = link_entity(start, length, argument, out.text()[len(text_before) :])
        elif tag == "blockquote":
            kind = "expandable_blockquote" if argument else "blockquote"
            entity = {"type": kind, "offset": start, "length": length}
        else:
            entity = {"type": _HTML_TYPES[tag], "offset": start, "length": length}
            if tag == "code" and argument:
                entity["language"] = argument
            if tag == "tg-emoji":
                entity["custom_emoji_id"] = argument
        if entity is not None:
            entities.append(entity)
    return i + 1


def _fold_pre_code(entities: list[Entity]) -> list[Entity]:
    """``<pre><code class="language-x">`` becomes one ``pre`` entity with a language."""
    result: list[Entity] = []
    for entity in entities:
        if entity["type"] == "pre" and result:
            previous = result[-1]
            same_span = previous["offset"] == entity["offset"] and previous["length"] == entity["length"]
            if previous["type"] == "code" and same_span:
                result.pop()
                if previous.get("language"):
                    entity = {**entity, "language": previous["language"]}
        result.append(entity)
    for entity in result:
        if entity["type"] == "code":
            entity.pop("language", None)
    return sort_entities(result)


def parse_text(text: str, parse_mode: str | None, raw_entities: object = None) -> tuple[str, list[Entity]]:
    """Plain text and entities of a message or caption, as Telegram stores them.

    Explicit ``entities`` win over ``parse_mode``. The result is trimmed of surrounding
    whitespace and gets the entities Telegram detects itself (commands, URLs, mentions...).
    """
    mode = (parse_mode or "").strip().lower()
    try:
        if raw_entities is not None:
            plain, entities = text, validate_entities(text, raw_entities)
        elif not mode:
            plain, entities = text, []
        elif mode == "html":
            plain, entities = parse_html(text)
        elif mode == "markdownv2":
            plain, entities = parse_markdown_v2(text)
        elif mode == "markdown":
            plain, entities = parse_markdown(text)
        else:
            raise bad_request("unsupported parse_mode")
    except MarkupError as exc:
        raise bad_request(f"can't parse entities: {exc}") from exc
    plain, entities = trim_text(plain, entities)
    return plain, merge_entities(entities, detect_entities(plain))
