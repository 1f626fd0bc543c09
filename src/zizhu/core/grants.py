"""Guest access to a numbered thing (an order, a payment) without an account.

A browser is *granted* a number when it creates the thing, or when it opens a signed, expiring link
(``django.core.signing``) such as the one in a confirmation e-mail. Selectors then take the granted
numbers together with the user. Orders and payments each keep their own cookie, salt and lifetime,
so a payment link never opens an order and the other way round.

The granted numbers live in a signed cookie, not in the session: placing an order then writes
nothing but the order (no session UPDATE and its commit — issue #4's flash sale). The cookie is
signed together with the guest's key (``holder``), which lives in the session: after signing out
(session flushed, new guest) or on another browser the cookie grants nothing. Grants written to
the session by earlier versions are still read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

MAX_GRANTS = 50
MAX_TOKEN_LENGTH = 200
_NUMBER = re.compile(r"^[A-Z]{1,3}\d{6,20}$")
_PENDING = "_zizhu_pending_grants"  # request attribute: cookie name → (grants, holder key, numbers)


@dataclass(frozen=True)
class SignedGrants:
    salt: str
    max_age: Callable[[], int]
    url_name: str
    cookie_name: str
    # The guest key the cookie is bound to ("" when the visitor has none; ``create`` makes one).
    holder: Callable[[HttpRequest, bool], str]
    session_key: str = ""  # where earlier versions kept grants (read only)

    def granted_numbers(self, request: HttpRequest) -> list[str]:
        pending = getattr(request, _PENDING, {}).get(self.cookie_name)
        if pending is not None:
            return list(pending[2])
        session = getattr(request, "session", None)
        numbers = list(session.get(self.session_key, [])) if session is not None and self.session_key else []
        numbers += self._from_cookie(request)
        return [n for n in numbers if isinstance(n, str)][-MAX_GRANTS:]

    def grant(self, request: HttpRequest, number: str) -> None:
        # Newest last; a browser holding many guest orders keeps only the latest ones.
        numbers = [n for n in self.granted_numbers(request) if n != number] + [number]
        holder = self.holder(request, True)
        pending = getattr(request, _PENDING, None)
        if pending is None:
            pending = {}
            setattr(request, _PENDING, pending)
        pending[self.cookie_name] = (self, holder, numbers[-MAX_GRANTS:])

    def _from_cookie(self, request: HttpRequest) -> list[str]:
        if self.cookie_name not in request.COOKIES:
            return []
        holder = self.holder(request, False)
        if not holder:
            return []
        value = request.get_signed_cookie(self.cookie_name, "", salt=self._cookie_salt(holder), max_age=self._age())
        return [n for n in (value or "").split(",") if _NUMBER.match(n)]

    def _cookie_salt(self, holder: str) -> str:
        return f"{self.salt}.cookie.{holder}"

    def _age(self) -> int:
        return max(self.max_age(), settings.SESSION_COOKIE_AGE)

    def set_cookie(self, response: HttpResponse, holder: str, numbers: list[str]) -> None:
        response.set_signed_cookie(
            self.cookie_name,
            ",".join(numbers),
            salt=self._cookie_salt(holder),
            max_age=self._age(),
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )

    def token(self, number: str) -> str:
        return signing.dumps(number, salt=self.salt)

    def link(self, number: str) -> str:
        """The page of ``number`` with a signed token that grants it to whoever opens it."""
        return f"{reverse(self.url_name, args=[number])}?t={self.token(number)}"

    def redeem(self, request: HttpRequest, number: str, token: str) -> bool:
        """Grant ``number`` to this browser if ``token`` is a valid, unexpired signature of it."""
        try:
            signed = signing.loads(token[:MAX_TOKEN_LENGTH], salt=self.salt, max_age=self.max_age())
        except signing.BadSignature:
            return False
        if signed != number:
            return False
        self.grant(request, number)
        return True


class GrantCookieMiddleware:
    """Writes the grant cookies a view asked for (``SignedGrants.grant``) on its response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for grants, holder, numbers in getattr(request, _PENDING, {}).values():
            if holder:
                grants.set_cookie(response, holder, numbers)
        return response
