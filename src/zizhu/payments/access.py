"""Who may see and pay a payment: its customer, or the guest browser it was handed to.

Guests have no account: the checkout (or a signed link, ``pay_link``) grants the browser
access to a payment number. Selectors take these numbers together with the user.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from zizhu.catalog import owners
from zizhu.core.grants import MAX_GRANTS, SignedGrants

WEBHOOK_PATH = "/api/v1/payments/webhooks/sandbox"
SESSION_KEY = "payments.granted"  # where grants were kept before the cookie (still read)
COOKIE = "zizhu_payments"
LINK_SALT = "zizhu.payments.pay-link"
LINK_MAX_AGE = 60 * 60 * 24
__all__ = ["MAX_GRANTS", "gateway_urls", "grant", "granted_numbers", "pay_link", "redeem_link"]

GRANTS = SignedGrants(
    salt=LINK_SALT,
    max_age=lambda: LINK_MAX_AGE,
    url_name="payments:pay",
    cookie_name=COOKIE,
    holder=lambda request, create: owners.guest_key(request, create=create),
    session_key=SESSION_KEY,
)


def granted_numbers(request: HttpRequest) -> list[str]:
    return GRANTS.granted_numbers(request)


def grant(request: HttpRequest, number: str) -> None:
    """Let this browser session see and pay the (guest) payment ``number``."""
    GRANTS.grant(request, number)


def pay_link(number: str) -> str:
    """A signed, expiring link to the pay page (e.g. for a guest's e-mail)."""
    return GRANTS.link(number)


def redeem_link(request: HttpRequest, number: str, token: str) -> bool:
    return GRANTS.redeem(request, number, token)


def gateway_urls(request: HttpRequest, payment: Any) -> dict[str, str]:
    """Where the gateway sends the customer back, and where it posts its webhooks (this host)."""
    return {
        "return_url": request.build_absolute_uri(reverse("payments:return", args=[payment.number])),
        "notify_url": request.build_absolute_uri(WEBHOOK_PATH),
    }
