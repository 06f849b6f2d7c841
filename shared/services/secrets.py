"""Random codes and their keyed hashes: tokens and invitation codes are shown once, stored hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "chr_"
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O/1/I: people type invitation codes


def keyed_hash(value: str, pepper: str) -> str:
    return hmac.new(pepper.encode(), value.strip().encode(), hashlib.sha256).hexdigest()


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


INVITATION_CODE_LENGTH = 10


def new_invitation_code(length: int = INVITATION_CODE_LENGTH) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def looks_like_invitation_code(text: str) -> bool:
    """A message that is only a code (one word, the code's length and letters, any case, dashes or spaces
    between groups allowed): a stranger who sends it first means to link, even without /start."""
    words = text.split()
    code = normalize_invitation_code(text)
    return 0 < len(words) <= 3 and len(code) == INVITATION_CODE_LENGTH and all(ch in _ALPHABET for ch in code)


def normalize_invitation_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())
