"""Who favourites and history belong to: the signed-in user, or a guest by a random guest key
(not Django's session key, which changes at sign-in).

A guest's key lives in the session once there is one (the cart and checkout keep it there). A first
product view must not create a session, so there the key goes into a signed cookie instead
(``in_cookie``); the session adopts that key as soon as something else makes a session (a favourite,
the cart, signing in — where the guest's rows move to the account and the cookie is dropped).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

GUEST_KEY = "catalog_guest_key"
GUEST_COOKIE = "zizhu_guest"
GUEST_COOKIE_SALT = "zizhu.catalog.guest-key"
GUEST_COOKIE_AGE = 60 * 60 * 24 * 30  # like the guest rows (services.GUEST_RETENTION_DAYS)
_NEW_COOKIE = "_zizhu_guest_cookie"  # request attribute: the key to set, or "" to drop the cookie
_READ_COOKIE = "_zizhu_guest_cookie_read"


@dataclass(frozen=True)
class Owner:
    user: Any = None  # zizhu.accounts.models.User | None
    session_key: str = ""

    def __post_init__(self) -> None:
        if self.user is None and not self.session_key:
            raise ValueError("An owner needs a user or a guest key")

    @property
    def is_guest(self) -> bool:
        return self.user is None

    def lookup(self) -> dict[str, Any]:
        """Filter arguments selecting this owner's rows."""
        if self.user is not None:
            return {"user": self.user}
        return {"user__isnull": True, "session_key": self.session_key}

    def fields(self) -> dict[str, Any]:
        """Field values for a new row of this owner."""
        return {"user": self.user, "session_key": "" if self.user is not None else self.session_key}


def cookie_key(request: HttpRequest) -> str:
    """The guest key of the signed cookie ("" when absent, forged or expired); read once per request."""
    cached = getattr(request, _READ_COOKIE, None)
    if cached is None:
        cached = ""
        if GUEST_COOKIE in request.COOKIES:
            value = request.get_signed_cookie(GUEST_COOKIE, "", salt=GUEST_COOKIE_SALT, max_age=GUEST_COOKIE_AGE)
            cached = value if 16 <= len(value) <= 40 else ""
        setattr(request, _READ_COOKIE, cached)
    return str(cached)


def guest_key(request: HttpRequest, *, create: bool, in_cookie: bool = False) -> str:
    """The guest's key: from the session, else from the signed cookie; ``create`` makes one when
    there is none — kept in the session, or in the cookie with ``in_cookie`` (no session made)."""
    session = getattr(request, "session", None)
    if session is None:
        return ""
    key = str(session.get(GUEST_KEY, ""))
    if key:
        return key
    key = getattr(request, _NEW_COOKIE, "") or cookie_key(request)
    if key:
        if create and not in_cookie:
            session[GUEST_KEY] = key  # a session is being made anyway: from now on it holds the key
        return key
    if not create:
        return ""
    key = secrets.token_urlsafe(24)
    if in_cookie:
        setattr(request, _NEW_COOKIE, key)  # GuestKeyCookieMiddleware sets the cookie on the response
    else:
        session[GUEST_KEY] = key
    return key


def is_new_guest(request: HttpRequest) -> bool:
    """A guest key made in this request: the guest has no rows yet."""
    return bool(getattr(request, _NEW_COOKIE, ""))


def owner_for(request: HttpRequest, *, create: bool = False, in_cookie: bool = False) -> Owner | None:
    """The request's owner; for a guest without a key, ``None`` unless ``create``."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Owner(user=user, session_key=guest_key(request, create=False))
    key = guest_key(request, create=create, in_cookie=in_cookie)
    return Owner(session_key=key) if key else None


def adopt_into_session(request: HttpRequest) -> str:
    """At sign-in: the session keeps the guest key (later events carry both the account and the key)
    and the cookie goes, so the next visitor of a shared computer starts a new guest."""
    session = request.session
    key = str(session.get(GUEST_KEY, ""))
    from_cookie = cookie_key(request)
    if not key and from_cookie:
        key = session[GUEST_KEY] = from_cookie
    if GUEST_COOKIE in request.COOKIES or getattr(request, _NEW_COOKIE, ""):
        setattr(request, _NEW_COOKIE, "")
    return key


class GuestKeyCookieMiddleware:
    """Sets the signed guest-key cookie a view asked for (or drops it after a sign-in)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        value = getattr(request, _NEW_COOKIE, None)
        if value:
            response.set_signed_cookie(
                GUEST_COOKIE,
                value,
                salt=GUEST_COOKIE_SALT,
                max_age=GUEST_COOKIE_AGE,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        elif value == "":
            response.delete_cookie(GUEST_COOKIE, samesite="Lax")
        return response
