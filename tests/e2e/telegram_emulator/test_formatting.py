"""Parse modes and automatic entities turn text into what Telegram stores (no server needed)."""

from __future__ import annotations

import pytest
from telegram import Message, MessageEntity

from sandbox.telegram.errors import ApiError
from sandbox.telegram.formatting import parse_text


def entity_texts(text: str, entities: list[dict[str, object]]) -> list[tuple[str, str]]:
    """Entity type and covered text, computed by PTB itself (UTF-16 aware)."""
    message = Message.de_json(
        {"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"}, "text": text, "entities": entities},
        None,
    )
    assert message is not None
    return [(e.type, message.parse_entity(e)) for e in message.entities]


@pytest.mark.parametrize(
    ("raw", "mode", "plain", "expected"),
    [
        (
            "<b>Ада</b> 😀 <i>late</i> <a href='https://hr.example/r/7'>request</a>",
            "HTML",
            "Ада 😀 late request",
            [("bold", "Ада"), ("italic", "late"), ("text_link", "request")],
        ),
        ("&lt;b&gt; &amp; <code>x &lt; y</code>", "HTML", "<b> & x < y", [("code", "x < y")]),
        (
            "*Total:* 3\\.5 days _left_ ||secret|| [policy](https://hr.example/p)",
            "MarkdownV2",
            "Total: 3.5 days left secret policy",
            [("bold", "Total:"), ("italic", "left"), ("spoiler", "secret"), ("text_link", "policy")],
        ),
        ("```python\nprint(1)\n```", "MarkdownV2", "print(1)", [("pre", "print(1)")]),
        ("*bold* _it_ `code`", "Markdown", "bold it code", [("bold", "bold"), ("italic", "it"), ("code", "code")]),
    ],
)
def test_parse_modes_produce_plain_text_and_utf16_entities(
    raw: str, mode: str, plain: str, expected: list[tuple[str, str]]
) -> None:
    text, entities = parse_text(raw, mode)

    assert text == plain
    assert entity_texts(text, entities) == expected


@pytest.mark.parametrize(
    ("raw", "mode", "error"),
    [
        ("<b>open", "HTML", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", "HTML", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("Ада <br>", "HTML", 'Unsupported start tag "br" at byte offset 7'),
        ("<span>x</span>", "HTML", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("1-2", "MarkdownV2", "Character '-' is reserved and must be escaped with the preceding '\\'"),
        ("*open", "MarkdownV2", "Can't find end of Bold entity at byte offset 0"),
        ("_open", "Markdown", "Can't find end of the entity starting at byte offset 0"),
    ],
)
def test_malformed_markup_is_refused_with_telegrams_wording(raw: str, mode: str, error: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_text(raw, mode)

    assert caught.value.status == 400
    assert caught.value.description == f"Bad Request: can't parse entities: {error}"


def test_commands_mentions_links_and_hashtags_are_detected_automatically() -> None:
    text, entities = parse_text("  /leave@chronos_hr_bot for @ada_l #vacation see https://hr.example/x.  ", None)

    assert text == "/leave@chronos_hr_bot for @ada_l #vacation see https://hr.example/x."
    assert entity_texts(text, entities) == [
        (MessageEntity.BOT_COMMAND, "/leave@chronos_hr_bot"),
        (MessageEntity.MENTION, "@ada_l"),
        (MessageEntity.HASHTAG, "#vacation"),
        (MessageEntity.URL, "https://hr.example/x"),
    ]


def test_markup_inside_code_is_not_auto_detected() -> None:
    text, entities = parse_text("<code>/start</code> /help", "HTML")

    assert entity_texts(text, entities) == [("code", "/start"), ("bot_command", "/help")]


def test_unknown_parse_mode_is_a_bad_request() -> None:
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        parse_text("x", "BBCode")
