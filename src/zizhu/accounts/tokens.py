"""Bearer tokens: generation and hashing (the secret itself is shown once, never stored)."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "zz_"  # noqa: S105 - a label, not a secret


def generate_token() -> tuple[str, str, str]:
    """Return (raw token, display prefix, hash)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return raw, raw[:10], hash_token(raw)


def hash_token(raw: str) -> str:
    # The token carries 256 random bits, so a fast hash is enough (no dictionary to try).
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
