"""What the risk scoring needs to know about the thing paid for and about the request.

Payments sit below orders (DESIGN.md §3) and never import them. The app that owns a kind of
reference (orders own "O…") registers a provider at start-up::

    from zizhu.payments.risk import context
    context.register("O", order_context)   # (reference, customer) -> PaymentContext | None

The provider answers with the delivery province, a fingerprint of the delivery address, the
fingerprints of addresses this customer already received paid orders at, and the guest's contact.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from zizhu.accounts.audit import client_ip
from zizhu.accounts.devices import place_of


@dataclass(frozen=True)
class PaymentContext:
    province: str = ""
    address_key: str = ""  # a fingerprint of the delivery address ("" when there is none)
    known_address_keys: frozenset[str] = field(default_factory=frozenset)  # of this customer's paid orders
    email: str = ""  # a guest's checkout contact (second-factor codes are sent there)
    phone: str = ""
    language: str = ""
    link: str = ""  # the page where the customer follows what is paid for (absolute, for e-mails)
    page: str = ""  # the same page as a path on this site (for the in-app inbox)


@dataclass(frozen=True)
class RequestInfo:
    """The request at the pay step: address, its network (devices' offline place) and the browser."""

    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def of(cls, request: HttpRequest | None) -> RequestInfo:
        if request is None:
            return cls()
        return cls(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])

    @property
    def place(self) -> str:
        return place_of(self.ip)

    @property
    def device_key(self) -> str:
        """An approximate device: the browser (user agent) on its network. "" when nothing is known."""
        if not self.user_agent and not self.ip:
            return ""
        return hashlib.sha256(f"{self.user_agent}\x00{self.place}".encode()).hexdigest()[:32]


def address_fingerprint(*parts: str) -> str:
    """The same address typed with other spaces or letter case gives the same fingerprint."""
    text = "|".join("".join((part or "").split()).lower() for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:32] if text.strip("|") else ""


Provider = Callable[[str, Any], "PaymentContext | None"]
_providers: dict[str, Provider] = {}


def register(prefix: str, provider: Provider) -> None:
    _providers[prefix] = provider


def for_reference(reference: str, customer: Any) -> PaymentContext:
    for prefix, provider in _providers.items():
        if reference.startswith(prefix):
            found = provider(reference, customer)
            if found is not None:
                return found
    return PaymentContext()
