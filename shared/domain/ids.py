"""Database ids as they travel in callback data and paths: positive 32-bit integers, nothing else.

The schema's ids are 32-bit (``INTEGER`` on PostgreSQL), so a larger number names nothing; reading one
as an id would fail in the database driver instead of being refused politely.
"""

from __future__ import annotations

MAX_ID = 2**31 - 1
_MAX_DIGITS = len(str(MAX_ID))


def parse_id(text: str) -> int | None:
    """``text`` as an id (ASCII digits, 1..MAX_ID), or ``None``."""
    if not (0 < len(text) <= _MAX_DIGITS and text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
