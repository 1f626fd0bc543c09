"""Who may see and pay a payment: its customer, or the guest session it was handed to.

Guests have no account: the checkout (or a signed link, ``pay_link``) grants the browser
session access to a payment number. Selectors take these numbers together with the user.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

WEBHOOK_PATH = "/api/v1/payments/webhooks/sandbox"
SESSION_KEY = "payments.granted"
MAX_GRANTS = 50
LINK_SALT = "zizhu.payments.pay-link"
LINK_MAX_AGE = 60 * 60 * 24


def granted_numbers(request: HttpRequest) -> list[str]:
    session = getattr(request, "session", None)
    numbers = session.get(SESSION_KEY, []) if session is not None else []
    return [n for n in numbers if isinstance(n, str)][-MAX_GRANTS:]


def grant(request: HttpRequest, number: str) -> None:
    """Let this browser session see and pay the (guest) payment ``number``."""
    numbers = [n for n in granted_numbers(request) if n != number] + [number]
    request.session[SESSION_KEY] = numbers[-MAX_GRANTS:]


def pay_link(number: str) -> str:
    """A signed, expiring link to the pay page (e.g. for a guest's e-mail)."""
    token = signing.dumps(number, salt=LINK_SALT)
    return f"{reverse('payments:pay', args=[number])}?t={token}"


def redeem_link(request: HttpRequest, number: str, token: str) -> bool:
    try:
        signed_number = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return False
    if signed_number != number:
        return False
    grant(request, number)
    return True


def gateway_urls(request: HttpRequest, payment: Any) -> dict[str, str]:
    """Where the gateway sends the customer back, and where it posts its webhooks (this host)."""
    return {
        "return_url": request.build_absolute_uri(reverse("payments:return", args=[payment.number])),
        "notify_url": request.build_absolute_uri(WEBHOOK_PATH),
    }
