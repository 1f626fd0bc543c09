"""Guest access to a numbered thing (an order, a payment) without an account.

A browser session is *granted* a number when it creates the thing, or when it opens a signed,
expiring link (``django.core.signing``) such as the one in a confirmation e-mail. Selectors then
take the granted numbers together with the user. Orders and payments each keep their own session
key, salt and lifetime, so a payment link never opens an order and the other way round.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

MAX_GRANTS = 50
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class SignedGrants:
    session_key: str
    salt: str
    max_age: Callable[[], int]
    url_name: str

    def granted_numbers(self, request: HttpRequest) -> list[str]:
        session = getattr(request, "session", None)
        numbers = session.get(self.session_key, []) if session is not None else []
        return [n for n in numbers if isinstance(n, str)][-MAX_GRANTS:]

    def grant(self, request: HttpRequest, number: str) -> None:
        # Newest last; a session holding many guest orders keeps only the latest ones.
        numbers = [n for n in self.granted_numbers(request) if n != number] + [number]
        request.session[self.session_key] = numbers[-MAX_GRANTS:]

    def token(self, number: str) -> str:
        return signing.dumps(number, salt=self.salt)

    def link(self, number: str) -> str:
        """The page of ``number`` with a signed token that grants it to whoever opens it."""
        return f"{reverse(self.url_name, args=[number])}?t={self.token(number)}"

    def redeem(self, request: HttpRequest, number: str, token: str) -> bool:
        """Grant ``number`` to this session if ``token`` is a valid, unexpired signature of it."""
        try:
            signed = signing.loads(token[:MAX_TOKEN_LENGTH], salt=self.salt, max_age=self.max_age())
        except signing.BadSignature:
            return False
        if signed != number:
            return False
        self.grant(request, number)
        return True
