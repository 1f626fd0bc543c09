"""A small rate limiter on Django's cache (Redis in production, local memory when embedded).

Fixed windows: ``hit("signin:ip", ip, limit=30, period=300)`` counts one attempt in the current
window of ``period`` seconds and raises ``RateLimited`` (429, with ``retry_after`` = seconds to the
end of the window) once more than ``limit`` attempts were counted. Identities are hashed before
they become cache keys, so e-mail addresses and phone numbers never sit in the cache in clear.

Named limits live in ``settings.ZIZHU_RATE_LIMITS`` as ``{"name": (limit, period)}`` and are used
with ``check("signin.account", identity)``.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from zizhu.core.errors import RateLimited

__all__ = ["RateLimited", "check", "clock", "hit", "peek", "reset", "response_for"]

# Tests replace this to freeze or move the clock.
clock: Callable[[], float] = time.time


def _key(scope: str, identity: str, window: int) -> str:
    digest = hashlib.sha256(f"{scope}\x00{identity}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{window}"


def hit(scope: str, identity: str | None, *, limit: int, period: int) -> int:
    """Count one attempt; raise RateLimited when the window already holds ``limit`` attempts."""
    if not identity:
        return 0
    now = clock()
    window = int(now // period)
    key = _key(scope, identity, window)
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    if count > limit:
        retry_after = max(1, math.ceil((window + 1) * period - now))
        raise RateLimited(retry_after=retry_after)
    return count


def peek(scope: str, identity: str, *, period: int) -> int:
    """Attempts counted in the current window (without counting one)."""
    return int(cache.get(_key(scope, identity, int(clock() // period))) or 0)


def reset(scope: str, identity: str, *, period: int) -> None:
    cache.delete(_key(scope, identity, int(clock() // period)))


def check(name: str, identity: str | None) -> int:
    """Count one attempt against the named limit of ``settings.ZIZHU_RATE_LIMITS``."""
    limit, period = settings.ZIZHU_RATE_LIMITS[name]
    return hit(name, identity, limit=limit, period=period)


def response_for(request: HttpRequest, error: RateLimited) -> HttpResponse:
    """429 with Retry-After: JSON ``{"code": "rate_limited", ...}`` under /api/, else a page."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error.as_dict(), status=429)
    else:
        minutes = max(1, math.ceil(error.retry_after / 60))
        response = render(request, "core/rate_limited.html", {"message": error.message, "minutes": minutes}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response
