"""Sign-in protection: rate limits, django-axes glue and equal answers for known and unknown accounts.

* ``guard(request, action, login)`` counts one attempt per client IP and per account (the login as
  the customer typed it, normalised) against ``settings.ZIZHU_RATE_LIMITS`` and raises
  ``RateLimited`` (429 with ``Retry-After``) past the limit. Pages show a translated message
  (``zizhu.core.middleware.RateLimitedMiddleware``), the API answers ``{"code": "rate_limited"}``.
* django-axes locks an account *from one IP* after ``AXES_FAILURE_LIMIT`` wrong passwords for
  ``AXES_COOLOFF_TIME``; ``lockout_response`` answers that as a 429 too.
* ``equal_time()`` pads sign-in, sign-up and reset answers to a fixed floor so the work done for a
  known account (a mail sent, a session written) cannot be told from an unknown one by timing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from zizhu.accounts.audit import client_ip
from zizhu.accounts.logins import parse_login
from zizhu.core import ratelimit
from zizhu.core.errors import RateLimited


def login_identity(raw: str | None) -> str:
    """The account a login names, normalised (so "138 0013 8000" and "+8613800138000" count together)."""
    text = (raw or "").strip()
    try:
        return parse_login(text).value
    except ValidationError:
        return text.lower()[:254]


def guard(request: HttpRequest, action: str, login: str | None = None) -> None:
    """Count one ``action`` attempt ("signin", "signup", "reset", "otp.send") by IP and by account."""
    ip = client_ip(request) or "unknown"
    ratelimit.check(f"{action}.ip", ip)
    if login is not None:
        ratelimit.check(f"{action}.account", login_identity(login))


@contextmanager
def equal_time(action: str) -> Iterator[None]:
    """Answer no sooner than ``ZIZHU_AUTH_RESPONSE_FLOOR[action]`` seconds after starting."""
    floor = float(settings.ZIZHU_AUTH_RESPONSE_FLOOR.get(action, 0))
    started = time.perf_counter()
    try:
        yield
    finally:
        left = floor - (time.perf_counter() - started)
        if left > 0:
            time.sleep(left)


# --- django-axes -------------------------------------------------------------------------------


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Axes counts failures per normalised login (pages send ``username``, the API ``login``)."""
    credentials = credentials or {}
    raw = credentials.get("username") or credentials.get("login")
    if raw is None and request is not None and request.method == "POST":
        raw = request.POST.get("username")
    return login_identity(raw)


def axes_client_ip(request: HttpRequest) -> str | None:
    return client_ip(request)


def cool_off_seconds() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    return max(1, math.ceil(cool_off.total_seconds())) if cool_off else 3600


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """Too many wrong passwords for this account from this address: 429 with Retry-After."""
    error = RateLimited(
        _("Too many unsuccessful sign-in attempts. Please wait %(minutes)d minutes or reset your password.")
        % {"minutes": math.ceil(cool_off_seconds() / 60)},
        retry_after=cool_off_seconds(),
        code="locked_out",
    )
    return ratelimit.response_for(request, error)
