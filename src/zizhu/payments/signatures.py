"""Webhook signatures: ``Zizhu-Signature: t=<unix time>,v1=<hex HMAC-SHA256>``.

The signed text is ``"<t>." + raw body``. A signature is accepted when its timestamp is within
the tolerance (5 minutes by default, in both directions) and one of its ``v1`` values matches
the HMAC under one of the configured secrets (two during a rotation). Comparisons are
constant-time (``hmac.compare_digest``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from zizhu.payments.providers.base import WebhookRejected

MAX_HEADER_LENGTH = 2000


def parse_header(header: str | None) -> tuple[int, list[str]]:
    if not header:
        raise WebhookRejected("missing signature")
    if len(header) > MAX_HEADER_LENGTH:
        raise WebhookRejected("signature header too long")
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        name, _sep, value = item.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif name == "v1" and value:
            signatures.append(value.strip())
    if timestamp is None or not signatures:
        raise WebhookRejected("malformed signature header")
    return timestamp, signatures


def verify(*, body: bytes, header: str | None, secrets: Sequence[str], tolerance_seconds: int, now: int) -> int:
    """Return the signed timestamp, or raise ``WebhookRejected``."""
    timestamp, signatures = parse_header(header)
    if abs(now - timestamp) > tolerance_seconds:
        raise WebhookRejected("timestamp outside the tolerance")
    signed = f"{timestamp}.".encode() + body
    matched = False
    for secret in secrets:
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest().encode()
        for candidate in signatures:
            # no early exit: every pair is compared, in constant time
            matched |= hmac.compare_digest(expected, candidate.encode("ascii", "replace"))
    if not matched:
        raise WebhookRejected("signature does not match")
    return timestamp
