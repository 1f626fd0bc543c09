from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from zizhu.notifications import selectors


def inbox(request: HttpRequest) -> dict[str, Any]:
    """The header's inbox link. Templates call the function, so the unread count is one query made only
    when a page's header shows it (and cached for the rest of that page); API calls never pay for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": cache(lambda: selectors.unread_count(customer=user))}
