"""Message entities: UTF-16 offsets, automatic detection and whitespace trimming.

The Bot API measures entity offsets and lengths in UTF-16 code units, so every
helper here converts between Python code-point indices and UTF-16 offsets.
Telegram also detects some entities itself (commands, mentions, hashtags, URLs,
e-mails) in every message, whether a user or a bot sent it.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.telegram.errors import ApiError

Entity = dict[str, Any]

# Entity types whose text must not be re-scanned for automatic entities.
_OPAQUE_TYPES = frozenset(
    {"code", "pre", "url", "text_link", "email", "mention", "bot_command", "hashtag", "text_mention"}
)

_AUTO_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(r"(?<![\w@/.])(?:https?://|www\.|t\.me/)[^\s<>\"']+", re.IGNORECASE)),
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("bot_command", re.compile(r"(?<![^\s(\[«\"'])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*")),
)
_TRAILING_URL_PUNCTUATION = ".,;:!?)]}'\""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def utf16_offsets(text: str) -> list[int]:
    """UTF-16 offset of every code-point index of ``text`` (plus one past the end)."""
    offsets = [0] * (len(text) + 1)
    total = 0
    for index, ch in enumerate(text):
        offsets[index] = total
        total += 2 if ord(ch) > 0xFFFF else 1
    offsets[len(text)] = total
    return offsets


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` that an entity with ``offset``/``length`` (UTF-16) covers."""
    encoded = text.encode("utf-16-le")
    return encoded[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")


def detect_entities(text: str) -> list[Entity]:
    """Entities Telegram finds on its own: URLs, e-mails, commands, mentions and hashtags."""
    offsets = utf16_offsets(text)
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in _TRAILING_URL_PUNCTUATION:
                    end -= 1
            if end <= start or any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            found.append({"type": kind, "offset": offsets[start], "length": offsets[end] - offsets[start]})
    return sort_entities(found)


def merge_entities(explicit: list[Entity], automatic: list[Entity]) -> list[Entity]:
    """Add automatically detected entities that do not collide with explicit ones."""
    blocked = [(e["offset"], e["offset"] + e["length"]) for e in explicit if e["type"] in _OPAQUE_TYPES]
    merged = list(explicit)
    for entity in automatic:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        if any(start < b_end and b_start < end for b_start, b_end in blocked):
            continue
        merged.append(entity)
    return sort_entities(merged)


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Order entities like Telegram: by offset, longer (outer) entities first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def trim_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Strip leading/trailing whitespace as Telegram does, keeping entities aligned."""
    stripped_left = text.lstrip()
    left_units = utf16_len(text[: len(text) - len(stripped_left)])
    result = stripped_left.rstrip()
    total = utf16_len(result)
    adjusted: list[Entity] = []
    for entity in entities:
        start = max(entity["offset"] - left_units, 0)
        end = min(entity["offset"] + entity["length"] - left_units, total)
        if end <= start:
            continue
        adjusted.append({**entity, "offset": start, "length": end - start})
    return result, sort_entities(adjusted)


def validate_entities(text: str, raw: Any) -> list[Entity]:
    """Check a client-supplied ``entities`` array the way the Bot API does."""
    if not isinstance(raw, list):
        raise ApiError(400, "Bad Request: can't parse entities JSON object")
    total = utf16_len(text)
    entities: list[Entity] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise ApiError(400, "Bad Request: can't parse MessageEntity JSON object")
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or offset < 0 or length <= 0:
            raise ApiError(400, "Bad Request: can't parse MessageEntity JSON object")
        if offset + length > total:
            continue
        entities.append(dict(item))
    return sort_entities(entities)


def normalize_url(url: str) -> str | None:
    """The URL Telegram keeps for a link: ``http://`` added when no scheme; None if invalid."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    if url.startswith(("tg://", "mailto:")) or "://" in url:
        return url
    return f"http://{url}"


def link_entity(offset: int, length: int, url: str, inner: str) -> Entity | None:
    """A ``text_link`` (or ``url``/``text_mention``) entity for a link with visible text ``inner``."""
    target = normalize_url(url or inner)
    if target is None:
        return None
    if target.startswith("tg://user?id="):
        user_id = target.removeprefix("tg://user?id=")
        if user_id.isdigit():
            return {"type": "text_mention", "offset": offset, "length": length,
                    "user": {"id": int(user_id), "is_bot": False, "first_name": inner or user_id}}  # fmt: skip
    if not url:
        return {"type": "url", "offset": offset, "length": length}
    return {"type": "text_link", "offset": offset, "length": length, "url": target}
