"""Signed-in devices: tracking sessions, describing them, ending them.

``SessionTrackingMiddleware`` records each signed-in session in ``UserSession`` (at most once a
minute per session). Descriptions are made offline: the device from the user agent by a few
rules, the place from the address (private or loopback: "this network"; otherwise the /16 of an
IPv4 address or the /32 of an IPv6 one) — no look-up service is ever asked.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import re
from collections.abc import Callable
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.accounts.audit import client_ip
from zizhu.accounts.models import User, UserSession

TOUCH_EVERY = 60  # seconds
LOCAL = "local"

_BROWSERS = [
    ("MicroMessenger", "WeChat"),
    ("AlipayClient", "Alipay"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("HarmonyOS", "HarmonyOS"),
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
]


def key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def place_of(ip: str | None) -> str:
    """``local`` for private/loopback addresses, else the network prefix (no external look-up)."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if address.is_private or address.is_loopback or address.is_link_local:
        return LOCAL
    prefix = 16 if address.version == 4 else 32
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def describe_place(place: str) -> str:
    if place == LOCAL:
        return _("This network")
    if not place:
        return _("Unknown")
    return _("Network %(prefix)s") % {"prefix": place}


def describe_device(user_agent: str) -> str:
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if re.search(r"python|curl|httpx|requests", user_agent, re.IGNORECASE):
        return _("A program")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown device")


def _store(session_key: str):  # type: ignore[no-untyped-def]
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def touch(request: HttpRequest) -> None:
    """Record or refresh this request's session (at most once a minute)."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or not user.is_authenticated or session is None or not session.session_key:
        return
    digest = key_hash(session.session_key)
    marker = f"sess-seen:{digest}"
    now = timezone.now()
    last = cache.get(marker)
    if last is not None and now.timestamp() - float(last) < TOUCH_EVERY:
        return
    updated = UserSession.objects.filter(key_hash=digest, user=user).update(
        last_seen_at=now, place=place_of(client_ip(request))
    )
    if not updated:
        UserSession.objects.update_or_create(
            key_hash=digest,
            defaults={
                "user": user,
                "session_key": session.session_key,
                "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
                "place": place_of(client_ip(request)),
                "created_at": now,
                "last_seen_at": now,
            },
        )
    cache.set(marker, now.timestamp(), TOUCH_EVERY * 2)


def record_sign_in(request: HttpRequest, user: User) -> None:
    """At sign-in (``user_logged_in``; the session already has its new key): the row and the marker."""
    session = getattr(request, "session", None)
    if session is None or not session.session_key:
        return
    digest = key_hash(session.session_key)
    now = timezone.now()
    UserSession.objects.update_or_create(
        key_hash=digest,
        defaults={
            "user": user,
            "session_key": session.session_key,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "place": place_of(client_ip(request)),
            "created_at": now,
            "last_seen_at": now,
        },
    )
    cache.set(f"sess-seen:{digest}", now.timestamp(), TOUCH_EVERY * 2)


def active_sessions(user: User) -> list[UserSession]:
    since = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return list(UserSession.objects.filter(user=user, last_seen_at__gte=since).order_by("-last_seen_at"))


def end(sessions: list[UserSession]) -> int:
    """Delete these sessions from the session store and forget them."""
    for row in sessions:
        with contextlib.suppress(Exception):  # an unreadable row is still removed below
            _store(row.session_key).delete()
        cache.delete(f"sess-seen:{row.key_hash}")
    return UserSession.objects.filter(pk__in=[row.pk for row in sessions]).delete()[0]


def end_others(user: User, *, keep_key: str | None) -> int:
    keep = key_hash(keep_key) if keep_key else ""
    return end(list(UserSession.objects.filter(user=user).exclude(key_hash=keep)))


def forget(session_key: str | None) -> None:
    if session_key:
        digest = key_hash(session_key)
        UserSession.objects.filter(key_hash=digest).delete()
        cache.delete(f"sess-seen:{digest}")


class SessionTrackingMiddleware:
    """After the view (a sign-in changes the key there): note the session for the devices page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        touch(request)
        return response
