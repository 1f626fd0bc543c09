"""Who may see an order: its customer, or a guest through the browser that placed it or a signed,
expiring link (``zizhu.core.grants``) such as the one in the confirmation e-mail."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from zizhu.catalog import owners
from zizhu.core.grants import MAX_GRANTS, SignedGrants

SESSION_KEY = "orders.granted"  # where grants were kept before the cookie (still read)
COOKIE = "zizhu_orders"
LINK_SALT = "zizhu.orders.order-link"
__all__ = ["MAX_GRANTS", "grant", "granted_numbers", "link_max_age", "order_link", "redeem"]


def link_max_age() -> int:
    return int(getattr(settings, "ZIZHU_ORDER_LINK_MAX_AGE", 60 * 60 * 24 * 30))


GRANTS = SignedGrants(
    salt=LINK_SALT,
    max_age=link_max_age,
    url_name="orders:detail",
    cookie_name=COOKIE,
    holder=lambda request, create: owners.guest_key(request, create=create),
    session_key=SESSION_KEY,
)


def granted_numbers(request: HttpRequest) -> list[str]:
    return GRANTS.granted_numbers(request)


def grant(request: HttpRequest, number: str) -> None:
    GRANTS.grant(request, number)


def order_link(number: str) -> str:
    """A signed link to the order page, valid ``ZIZHU_ORDER_LINK_MAX_AGE`` (30 days)."""
    return GRANTS.link(number)


def redeem(request: HttpRequest, number: str, token: str) -> bool:
    return GRANTS.redeem(request, number, token)
