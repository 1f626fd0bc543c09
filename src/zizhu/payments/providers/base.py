"""The provider interface: what the shop needs from any payment gateway.

Adapters (the built-in sandbox, later real gateways) turn a gateway's API into these calls
and results. Services call providers only outside database transactions (DESIGN.md §3: no
external call while rows are locked).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from zizhu.core.money import Money

# Provider-neutral intent statuses.
REQUIRES_PAYMENT_METHOD = "requires_payment_method"
REQUIRES_ACTION = "requires_action"
PROCESSING = "processing"
REQUIRES_CAPTURE = "requires_capture"  # authorised with manual capture: ``capture`` or ``cancel`` (void) next
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELED = "canceled"


class ProviderError(Exception):
    """The provider refused a call (``code``) or could not be reached (``retryable``)."""

    def __init__(self, code: str, message: str = "", *, retryable: bool = False):
        self.code = code
        self.retryable = retryable
        super().__init__(message or code)


class WebhookRejected(Exception):
    """A webhook that must not be trusted: unsigned, wrongly signed, too old, from the future, unreadable."""


@dataclass(frozen=True)
class SavedCardState:
    """A card the gateway keeps for the customer: a reusable token and what may be shown (never the number)."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class IntentState:
    intent_id: str
    status: str
    amount: Money
    captured: Money
    method: str = ""
    card_brand: str = ""
    card_last4: str = ""
    failure_code: str = ""
    redirect_url: str = ""  # where the customer goes next (hosted card page, 3-D Secure challenge)
    wallet_url: str = ""  # what the wallet QR code encodes
    saved_card: SavedCardState | None = None  # the customer asked the gateway to keep the card of this payment


@dataclass(frozen=True)
class RefundState:
    refund_id: str
    intent_id: str
    amount: Money
    status: str
    merchant_key: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str
    event_type: str
    intent: IntentState | None = None
    refund: RefundState | None = None


class PaymentProvider(Protocol):
    name: str

    def create_intent(
        self,
        *,
        amount: Money,
        reference: str,
        idempotency_key: str,
        return_url: str,
        notify_url: str,
        capture: str = "automatic",
        customer_ref: str = "",
    ) -> IntentState:
        """``capture="manual"``: the customer's confirmation only authorises; ``capture`` takes the money.
        ``customer_ref`` (a signed-in customer, never a guest): the hosted page may offer to save the card."""
        ...

    def confirm(self, *, intent_id: str, token: str | None = None) -> IntentState:
        """Pay with ``token``; without one, fetch the intent's current state (after a redirect back)."""
        ...

    def charge_saved_card(self, *, intent_id: str, card_token: str, customer_ref: str) -> IntentState:
        """Pay with a saved card of ``customer_ref``, server to server (3-D Secure may still ask for a challenge).
        Refused (``ProviderError``): ``payment_method_invalid`` (unknown, removed, another's), ``card_expired``."""
        ...

    def detach_saved_card(self, *, card_token: str, customer_ref: str) -> None:
        """The customer removed the card: the gateway must never charge it again. Safe to repeat."""
        ...

    def capture(self, *, intent_id: str, amount: Money | None = None) -> IntentState: ...

    def refund(self, *, intent_id: str, amount: Money, idempotency_key: str) -> RefundState: ...

    def cancel(self, *, intent_id: str) -> IntentState:
        """Cancel an open or authorised (not captured) intent; a closed one (e.g. paid) is returned as it is."""
        ...

    def verify_and_parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent: ...
