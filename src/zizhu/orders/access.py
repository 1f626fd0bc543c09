"""Who may see an order: its customer, or a guest through the session that placed it or a signed,
expiring link (``django.core.signing``) such as the one in the confirmation e-mail."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

SESSION_KEY = "orders.granted"
MAX_GRANTS = 50
LINK_SALT = "zizhu.orders.order-link"


def link_max_age() -> int:
    return int(getattr(settings, "ZIZHU_ORDER_LINK_MAX_AGE", 60 * 60 * 24 * 30))


def granted_numbers(request: HttpRequest) -> list[str]:
    session = getattr(request, "session", None)
    numbers = session.get(SESSION_KEY, []) if session is not None else []
    return [n for n in numbers if isinstance(n, str)][-MAX_GRANTS:]


def grant(request: HttpRequest, number: str) -> None:
    numbers = [n for n in granted_numbers(request) if n != number] + [number]
    request.session[SESSION_KEY] = numbers[-MAX_GRANTS:]


def order_link(number: str) -> str:
    """A signed link to the order page, valid ``ZIZHU_ORDER_LINK_MAX_AGE`` (30 days)."""
    token = signing.dumps(number, salt=LINK_SALT)
    return f"{reverse('orders:detail', args=[number])}?t={token}"


def redeem(request: HttpRequest, number: str, token: str) -> bool:
    try:
        signed = signing.loads(token, salt=LINK_SALT, max_age=link_max_age())
    except signing.BadSignature:
        return False
    if signed != number:
        return False
    grant(request, number)
    return True
