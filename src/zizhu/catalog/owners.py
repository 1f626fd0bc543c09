"""Who favourites and history belong to: the signed-in user, or a guest by a key kept in
the session (not Django's session key, which changes at sign-in)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

GUEST_KEY = "catalog_guest_key"


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


def guest_key(request: HttpRequest, *, create: bool) -> str:
    session = getattr(request, "session", None)
    if session is None:
        return ""
    key = session.get(GUEST_KEY, "")
    if not key and create:
        key = secrets.token_urlsafe(24)
        session[GUEST_KEY] = key
    return str(key)


def owner_for(request: HttpRequest, *, create: bool = False) -> Owner | None:
    """The request's owner; for a guest without a key, ``None`` unless ``create``."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Owner(user=user, session_key=guest_key(request, create=False))
    key = guest_key(request, create=create)
    return Owner(session_key=key) if key else None
