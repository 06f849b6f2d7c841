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


def new_invitation_code(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def normalize_invitation_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())
