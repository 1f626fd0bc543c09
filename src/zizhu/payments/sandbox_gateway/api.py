"""The sandbox gateway's operations: what a real gateway's HTTPS API and hosted pages do.

The shop calls only ``create_intent``, ``retrieve_intent``, ``confirm_intent``, ``capture_intent``,
``refund``, ``confirm_with_method`` and ``detach_method`` (through ``zizhu.payments.providers.sandbox``),
with ids, tokens and amounts; the
customer reaches the rest through the gateway's own pages. Every change records a webhook
event in the gateway's outbox in the same transaction; it is delivered after commit.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from zizhu.payments.sandbox_gateway import delivery
from zizhu.payments.sandbox_gateway.cards import CheckedCard
from zizhu.payments.sandbox_gateway.models import (
    GatewayCard,
    GatewayEvent,
    GatewayIntent,
    GatewayPaymentMethod,
    GatewayRefund,
)

Status = GatewayIntent.Status
OPEN = (Status.REQUIRES_PAYMENT_METHOD, Status.REQUIRES_ACTION)


class GatewayError(Exception):
    """A refused call, with a machine code such as ``token_invalid`` or ``amount_too_large``."""

    def __init__(self, code: str, message: str = ""):
        self.code = code
        super().__init__(message or code)


@dataclass(frozen=True)
class IntentData:
    id: str
    status: str
    amount: Decimal
    currency: str
    amount_captured: Decimal
    amount_refunded: Decimal
    method: str
    card_brand: str
    card_last4: str
    failure_code: str
    hosted_url: str
    challenge_url: str
    wallet_url: str
    saved_method: MethodData | None = None  # the card saved for the customer with this payment


@dataclass(frozen=True)
class MethodData:
    """A saved card as the merchant may know it: a reusable id, brand, last 4 and expiry."""

    id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class RefundData:
    id: str
    intent: str
    amount: Decimal
    currency: str
    status: str
    merchant_key: str


def _method(intent: GatewayIntent) -> MethodData | None:
    method = intent.payment_method if intent.save_card else None
    if method is None:
        return None
    return MethodData(method.id, method.brand, method.last4, method.exp_month, method.exp_year)


def _data(intent: GatewayIntent) -> IntentData:
    card = intent.card
    return IntentData(
        id=intent.id,
        status=intent.status,
        amount=intent.amount,
        currency=intent.currency,
        amount_captured=intent.amount_captured,
        amount_refunded=intent.amount_refunded,
        method=intent.method,
        card_brand=card.brand if card else "",
        card_last4=card.last4 if card else "",
        failure_code=intent.failure_code,
        hosted_url=reverse("sandbox_gateway:pay", args=[intent.id]),
        challenge_url=reverse("sandbox_gateway:challenge", args=[intent.id]),
        wallet_url=reverse("sandbox_gateway:wallet", args=[intent.id, intent.wallet_secret]),
        saved_method=_method(intent),
    )


def _snapshot(intent: GatewayIntent) -> dict[str, Any]:
    card = intent.card
    return {
        "object": "payment_intent",
        "id": intent.id,
        "status": intent.status,
        "amount": f"{intent.amount:.2f}",
        "currency": intent.currency,
        "amount_captured": f"{intent.amount_captured:.2f}",
        "amount_refunded": f"{intent.amount_refunded:.2f}",
        "method": intent.method,
        "card": {"brand": card.brand, "last4": card.last4} if card else None,
        "saved_card": method.as_dict() if (method := _method(intent)) else None,
        "failure_code": intent.failure_code,
        "description": intent.description,
    }


def _emit(event_type: str, data: dict[str, Any], notify_url: str) -> GatewayEvent:
    event = GatewayEvent(type=event_type, notify_url=notify_url, payload={})
    event.payload = {"id": event.id, "type": event_type, "created": int(time.time()), "data": data}
    event.save(force_insert=True)
    delivery.enqueue(event.id)
    return event


def _locked(intent_id: str) -> GatewayIntent:
    intent = (
        GatewayIntent.objects.select_for_update(of=("self",))
        .select_related("card", "payment_method")
        .filter(pk=intent_id)
        .first()
    )
    if intent is None:
        raise GatewayError("intent_not_found")
    return intent


# --- merchant (server-to-server) -------------------------------------------------------------------------


def create_intent(
    *,
    amount: Decimal,
    currency: str,
    description: str,
    merchant_key: str,
    return_url: str,
    notify_url: str,
    capture_method: str = "automatic",
    customer_ref: str = "",
) -> IntentData:
    """Create an intent, or return the one made earlier with the same merchant key (idempotent).
    ``customer_ref`` names the merchant's signed-in customer: their card may be saved for next time."""
    if amount <= 0:
        raise GatewayError("amount_invalid")
    existing = GatewayIntent.objects.select_related("card").filter(merchant_key=merchant_key).first()
    if existing is None:
        try:
            with transaction.atomic():
                existing = GatewayIntent.objects.create(
                    merchant_key=merchant_key,
                    amount=amount,
                    currency=currency,
                    description=description[:120],
                    return_url=return_url,
                    notify_url=notify_url,
                    capture_method=capture_method,
                    customer_ref=customer_ref[:64],
                )
        except IntegrityError:
            existing = GatewayIntent.objects.select_related("card").get(merchant_key=merchant_key)
    if existing.amount != amount or existing.currency != currency:
        raise GatewayError("idempotency_key_reused", "The same merchant key was used with another amount")
    if return_url and existing.return_url != return_url:
        GatewayIntent.objects.filter(pk=existing.pk).update(return_url=return_url)
    return _data(existing)


def retrieve_intent(*, intent_id: str) -> IntentData:
    intent = GatewayIntent.objects.select_related("card", "payment_method").filter(pk=intent_id).first()
    if intent is None:
        raise GatewayError("intent_not_found")
    return _data(intent)


def tokenize(card: CheckedCard) -> GatewayCard:
    """Keep what the merchant may know about a checked card; the number itself is not stored."""
    return GatewayCard.objects.create(
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        behaviour=card.behaviour,
    )


def confirm_intent(*, intent_id: str, token: str, save_card: bool = False) -> IntentData:
    """Pay an open intent with a card token (single use). ``save_card`` (the customer ticked "save this
    card", offered only when the merchant named its customer): the card is kept once the payment goes through."""
    with transaction.atomic():
        intent = _locked(intent_id)
        if intent.status not in OPEN:
            raise GatewayError("intent_unexpected_state", f"The intent is {intent.status}")
        used = GatewayCard.objects.filter(pk=token, used_at=None).update(used_at=timezone.now())
        if not used:
            raise GatewayError("token_invalid", "The card token is unknown or already used")
        intent.save_card = bool(save_card and intent.customer_ref)
        _charge(intent, GatewayCard.objects.get(pk=token))
        return _data(intent)


def confirm_with_method(*, intent_id: str, method_id: str, customer_ref: str) -> IntentData:
    """Pay an open intent with a saved card of the intent's customer (no hosted page; 3-D Secure still asks)."""
    with transaction.atomic():
        intent = _locked(intent_id)
        if intent.status not in OPEN:
            raise GatewayError("intent_unexpected_state", f"The intent is {intent.status}")
        method = (
            GatewayPaymentMethod.objects.filter(pk=method_id[:40], customer_ref=customer_ref, detached_at=None).first()
            if customer_ref and hmac.compare_digest(customer_ref.encode(), intent.customer_ref.encode())
            else None
        )
        if method is None:
            raise GatewayError("payment_method_invalid", "The saved card is unknown, removed or not this customer's")
        today = timezone.localdate()
        if (method.exp_year, method.exp_month) < (today.year, today.month):
            raise GatewayError("card_expired", "The saved card has expired")
        card = GatewayCard.objects.create(**method.details(), used_at=timezone.now())
        intent.payment_method = method
        intent.save_card = False  # already saved: nothing new to tell
        _charge(intent, card)
        return _data(intent)


def detach_method(*, method_id: str, customer_ref: str) -> None:
    """The customer removed a saved card: it can never be charged again (repeating is harmless)."""
    method = GatewayPaymentMethod.objects.filter(pk=method_id[:40], customer_ref=customer_ref).first()
    if method is None or not customer_ref:
        raise GatewayError("payment_method_invalid", "The saved card is unknown or not this customer's")
    GatewayPaymentMethod.objects.filter(pk=method.pk, detached_at=None).update(detached_at=timezone.now())


def _charge(intent: GatewayIntent, card: GatewayCard) -> None:
    """The card's (test) behaviour decides: paid, 3-D Secure challenge, or declined."""
    intent.card = card
    intent.method = "card"
    if card.behaviour == GatewayCard.Behaviour.SUCCEED:
        _succeed(intent)
    elif card.behaviour == GatewayCard.Behaviour.THREE_D_SECURE:
        intent.status = Status.REQUIRES_ACTION
        intent.challenge_code = f"{secrets.randbelow(1_000_000):06d}"
        intent.save()
        _emit("payment_intent.requires_action", _snapshot(intent), intent.notify_url)
    else:
        _fail(intent, "card_declined" if card.behaviour == GatewayCard.Behaviour.DECLINE else "insufficient_funds")


def capture_intent(*, intent_id: str, amount: Decimal | None = None) -> IntentData:
    """Capture an authorised intent (manual capture); a captured one is returned as it is."""
    with transaction.atomic():
        intent = _locked(intent_id)
        if intent.status == Status.REQUIRES_CAPTURE:
            to_capture = intent.amount if amount is None else amount
            if not 0 < to_capture <= intent.amount:
                raise GatewayError("amount_invalid")
            intent.amount_captured = to_capture
            intent.status = Status.SUCCEEDED
            intent.save()
            _emit("payment_intent.succeeded", _snapshot(intent), intent.notify_url)
        elif intent.status != Status.SUCCEEDED:
            raise GatewayError("intent_unexpected_state", f"The intent is {intent.status}")
        return _data(intent)


def refund(*, intent_id: str, amount: Decimal, merchant_key: str) -> RefundData:
    """Refund part or all of a captured intent; the same merchant key returns the same refund."""
    with transaction.atomic():
        intent = _locked(intent_id)
        existing = GatewayRefund.objects.filter(merchant_key=merchant_key).first()
        if existing is not None:
            if existing.intent_id != intent.pk or existing.amount != amount:
                raise GatewayError("idempotency_key_reused")
            return _refund_data(existing, intent)
        if intent.status != Status.SUCCEEDED:
            raise GatewayError("intent_unexpected_state", f"The intent is {intent.status}")
        if amount <= 0 or intent.amount_refunded + amount > intent.amount_captured:
            raise GatewayError("amount_too_large", "The refund is larger than what is left to refund")
        GatewayIntent.objects.filter(pk=intent.pk).update(amount_refunded=F("amount_refunded") + amount)
        intent.refresh_from_db()
        created = GatewayRefund.objects.create(intent=intent, amount=amount, merchant_key=merchant_key)
        result = _refund_data(created, intent)
        _emit(
            "refund.succeeded",
            {**_snapshot(intent), "refund": {**result.__dict__, "amount": f"{amount:.2f}"}},
            intent.notify_url,
        )
        return result


def _refund_data(item: GatewayRefund, intent: GatewayIntent) -> RefundData:
    return RefundData(item.id, intent.pk, item.amount, intent.currency, item.status, item.merchant_key)


def cancel_intent(*, intent_id: str) -> IntentData:
    """Cancel an open intent (the merchant gave up, e.g. an unpaid order expired) or void an authorised one
    (manual capture, e.g. a rejected review); a closed one is returned as it is."""
    with transaction.atomic():
        intent = _locked(intent_id)
        if intent.status in OPEN or intent.status == Status.REQUIRES_CAPTURE:
            intent.status = Status.CANCELED
            intent.challenge_code = ""
            intent.save()
            _emit("payment_intent.canceled", _snapshot(intent), intent.notify_url)
        return _data(intent)


# --- customer (hosted pages) ---------------------------------------------------------------------------------


def answer_challenge(*, intent_id: str, code: str, cancel: bool = False) -> IntentData:
    """3-D Secure: the right one-time code completes the payment; a wrong one (or cancel) fails it."""
    with transaction.atomic():
        intent = _locked(intent_id)
        if intent.status != Status.REQUIRES_ACTION:
            raise GatewayError("intent_unexpected_state")
        if not cancel and hmac.compare_digest(code.strip().encode(), intent.challenge_code.encode()):
            _succeed(intent)
        else:
            _fail(intent, "authentication_failed")
        return _data(intent)


def confirm_wallet(*, intent_id: str, secret: str, approve: bool) -> IntentData:
    """The phone-side wallet page: the customer approves (or declines) the payment."""
    with transaction.atomic():
        intent = _locked(intent_id)
        if not hmac.compare_digest(secret.encode(), intent.wallet_secret.encode()):
            raise GatewayError("intent_not_found")
        if intent.status not in OPEN:
            raise GatewayError("intent_unexpected_state")
        intent.method = "wallet"
        intent.card = None
        if approve:
            _succeed(intent)
        else:
            _fail(intent, "wallet_declined")
        return _data(intent)


def _save_method(intent: GatewayIntent) -> None:
    """Keep the intent's card for its customer (the same card saved again is the same saved card)."""
    card = intent.card
    if not intent.save_card or card is None or intent.payment_method_id:
        return
    saved = GatewayPaymentMethod.objects.filter(customer_ref=intent.customer_ref, detached_at=None, **card.details())
    intent.payment_method = saved.first() or GatewayPaymentMethod.objects.create(
        customer_ref=intent.customer_ref, **card.details()
    )


def _succeed(intent: GatewayIntent) -> None:
    intent.challenge_code = ""
    intent.failure_code = ""
    _save_method(intent)
    if intent.capture_method == "manual":
        intent.status = Status.REQUIRES_CAPTURE
        intent.save()
        _emit("payment_intent.amount_capturable_updated", _snapshot(intent), intent.notify_url)
        return
    intent.status = Status.SUCCEEDED
    intent.amount_captured = intent.amount
    intent.save()
    _emit("payment_intent.succeeded", _snapshot(intent), intent.notify_url)


def _fail(intent: GatewayIntent, code: str) -> None:
    intent.status = Status.FAILED
    intent.failure_code = code
    intent.challenge_code = ""
    intent.save()
    _emit("payment_intent.payment_failed", _snapshot(intent), intent.notify_url)


def purge_unused_tokens(max_age_hours: int = 1) -> int:
    """Periodic job: card tokens never used within an hour expire (as a real gateway's do)."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(hours=max_age_hours)
    deleted, _details = GatewayCard.objects.filter(used_at=None, created_at__lt=cutoff).delete()
    return deleted
