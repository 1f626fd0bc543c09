"""Whose cart a request uses, and the item count the header shows (kept in the session, so the
header costs no query on other pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zizhu.cart.models import Cart
from zizhu.catalog.owners import GUEST_KEY, Owner, owner_for

COUNT_KEY = "cart.count"


def guest_key(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    return str(session.get(GUEST_KEY, "")) if session is not None else ""


def owner(request: HttpRequest, *, create: bool) -> Owner | None:
    return owner_for(request, create=create)


def remember_count(request: HttpRequest, cart: Cart | None, count: int | None = None) -> int:
    from zizhu.cart.selectors import item_count

    if count is None:
        count = item_count(cart=cart)
    session = getattr(request, "session", None)
    # Only for browser sessions (a bearer-token program has none worth saving).
    if session is not None and (session.session_key or session.modified) and session.get(COUNT_KEY) != count:
        session[COUNT_KEY] = count
    return count


def header_count(request: HttpRequest) -> Any:
    session = getattr(request, "session", None)
    if session is None:
        return 0
    return session.get(COUNT_KEY, 0)
