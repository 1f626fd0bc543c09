"""One-time codes sent by e-mail or SMS (sign-up confirmation, second factor, re-authentication).

A code has 6 digits, is valid ``CODE_TTL`` (5 minutes), works once, and is burnt after
``OneTimeCode.MAX_GUESSES`` wrong guesses. Only an HMAC of it is stored. Sending is rate limited
per account (``otp.send.account``: 1 a minute, ``otp.send.account.hour``: 5 an hour) and per IP.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.accounts.models import OneTimeCode, User
from zizhu.core import ratelimit
from zizhu.core.errors import InvalidInput

CODE_TTL = timedelta(minutes=5)
SIGN_UP_TTL = timedelta(minutes=15)
CODE_DIGITS = 6


def _key() -> bytes:
    return hashlib.sha256(b"zizhu.accounts.codes\x00" + settings.SECRET_KEY.encode()).digest()


def _digest(nonce: str, raw: str) -> str:
    return hmac.new(_key(), f"{nonce}:{raw}".encode(), hashlib.sha256).hexdigest()


def _hash(raw: str) -> str:
    nonce = secrets.token_hex(8)
    return f"{nonce}${_digest(nonce, raw)}"[:64]


def _matches(stored: str, raw: str) -> bool:
    nonce, _sep, digest = stored.partition("$")
    return hmac.compare_digest(_digest(nonce, raw)[: len(digest)], digest)


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def clean(raw: str) -> str:
    return "".join(ch for ch in (raw or "") if ch.isdigit())[:CODE_DIGITS]


def limit_sends(*, account: str, ip: str | None) -> None:
    """Raise RateLimited past 1 send a minute / 5 an hour for one account, 20 an hour for one IP."""
    ratelimit.check("otp.send.ip", ip or "unknown")
    ratelimit.check("otp.send.account", account)
    ratelimit.check("otp.send.account.hour", account)


def issue(
    *, purpose: str, channel: str, user: User | None = None, payload: str = "", ttl: timedelta | None = None
) -> tuple[OneTimeCode, str]:
    """A new code (earlier unused codes of the same user and purpose stop working)."""
    raw = new_code()
    now = timezone.now()
    with transaction.atomic():
        if user is not None:
            OneTimeCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=now)
        code = OneTimeCode.objects.create(
            user=user,
            purpose=purpose,
            channel=channel,
            code_hash=_hash(raw),
            payload=payload,
            created_at=now,
            expires_at=now + (ttl or CODE_TTL),
        )
    return code, raw


def decoy(*, purpose: str, channel: str, payload: str = "", ttl: timedelta | None = None) -> OneTimeCode:
    """A pending code that nobody receives (a sign-up for an existing login): looks the same, never matches."""
    code, _raw = issue(purpose=purpose, channel=channel, payload=payload, ttl=ttl)
    return code


def verify(*, purpose: str, raw: str, user: User | None = None, code_id: int | None = None) -> OneTimeCode:
    """Use the current code of ``user`` (or the code ``code_id``); wrong guesses count, 5 burn it."""
    raw = clean(raw)
    now = timezone.now()
    error: InvalidInput | None = None
    with transaction.atomic():
        codes = OneTimeCode.objects.select_for_update().filter(purpose=purpose, used_at__isnull=True)
        codes = codes.filter(pk=code_id) if code_id is not None else codes.filter(user=user)
        code = codes.order_by("-created_at").first()
        if code is None or code.expires_at <= now:
            error = InvalidInput(
                _("This code has expired or was already used. Ask for a new one."),
                fields={"code": [_("This code has expired or was already used. Ask for a new one.")]},
                code="code_expired",
            )
        elif len(raw) != CODE_DIGITS or not _matches(code.code_hash, raw):
            code.guesses += 1
            if code.guesses >= OneTimeCode.MAX_GUESSES:
                code.used_at = now  # burnt
                message = _("Too many wrong codes. This code no longer works: ask for a new one.")
                error = InvalidInput(message, fields={"code": [message]}, code="code_burnt")
            else:
                message = _("The code is not correct.")
                error = InvalidInput(message, fields={"code": [message]}, code="code_wrong")
            code.save(update_fields=["guesses", "used_at"])
        else:
            code.used_at = now
            code.save(update_fields=["used_at"])
    if error is not None:
        raise error
    assert code is not None
    return code
