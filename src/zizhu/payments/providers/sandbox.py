"""Adapter for the built-in sandbox gateway.

The calls below stand in for HTTPS requests to the gateway: only ids, tokens and amounts cross
the boundary, and the gateway's answers come back as ``IntentState``/``RefundState``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings

from zizhu.core.money import Money, MoneyError
from zizhu.payments import signatures
from zizhu.payments.providers.base import (
    IntentState,
    ProviderError,
    RefundState,
    SavedCardState,
    WebhookEvent,
    WebhookRejected,
)
from zizhu.payments.sandbox_gateway import api as gateway
from zizhu.payments.sandbox_gateway.delivery import SIGNATURE_HEADER

MAX_BODY_BYTES = 64 * 1024


def _state(data: gateway.IntentData) -> IntentState:
    return IntentState(
        intent_id=data.id,
        status=data.status,
        amount=Money.of(data.amount, data.currency),
        captured=Money.of(data.amount_captured, data.currency),
        method=data.method,
        card_brand=data.card_brand,
        card_last4=data.card_last4,
        failure_code=data.failure_code,
        redirect_url=data.challenge_url if data.status == "requires_action" else data.hosted_url,
        wallet_url=data.wallet_url,
        saved_card=_saved(data.saved_method),
    )


def _saved(method: gateway.MethodData | None) -> SavedCardState | None:
    if method is None:
        return None
    return SavedCardState(method.id, method.brand, method.last4, method.exp_month, method.exp_year)


def _call(func: Any, **kwargs: Any) -> Any:
    try:
        return func(**kwargs)
    except gateway.GatewayError as exc:
        raise ProviderError(exc.code, str(exc)) from exc


class SandboxProvider:
    name = "sandbox"

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
        data = _call(
            gateway.create_intent,
            amount=amount.amount,
            currency=amount.currency,
            description=reference,
            merchant_key=idempotency_key,
            return_url=return_url,
            notify_url=notify_url,
            capture_method="manual" if capture == "manual" else "automatic",
            customer_ref=customer_ref,
        )
        return _state(data)

    def confirm(self, *, intent_id: str, token: str | None = None) -> IntentState:
        if token:
            return _state(_call(gateway.confirm_intent, intent_id=intent_id, token=token))
        return _state(_call(gateway.retrieve_intent, intent_id=intent_id))

    def charge_saved_card(self, *, intent_id: str, card_token: str, customer_ref: str) -> IntentState:
        return _state(
            _call(gateway.confirm_with_method, intent_id=intent_id, method_id=card_token, customer_ref=customer_ref)
        )

    def detach_saved_card(self, *, card_token: str, customer_ref: str) -> None:
        _call(gateway.detach_method, method_id=card_token, customer_ref=customer_ref)

    def capture(self, *, intent_id: str, amount: Money | None = None) -> IntentState:
        return _state(_call(gateway.capture_intent, intent_id=intent_id, amount=amount.amount if amount else None))

    def refund(self, *, intent_id: str, amount: Money, idempotency_key: str) -> RefundState:
        data = _call(gateway.refund, intent_id=intent_id, amount=amount.amount, merchant_key=idempotency_key)
        return RefundState(data.id, data.intent, Money.of(data.amount, data.currency), data.status, data.merchant_key)

    def cancel(self, *, intent_id: str) -> IntentState:
        return _state(_call(gateway.cancel_intent, intent_id=intent_id))

    def verify_and_parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        if len(body) > MAX_BODY_BYTES:
            raise WebhookRejected("body too large")
        signatures.verify(
            body=body,
            header=headers.get(SIGNATURE_HEADER),
            secrets=settings.PAYMENTS_SANDBOX_WEBHOOK_SECRETS,
            tolerance_seconds=settings.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS,
            now=int(time.time()),
        )
        try:
            payload = json.loads(body)
            data = payload["data"]
            event = WebhookEvent(
                event_id=_text(payload["id"], 80),
                event_type=_text(payload["type"], 60),
                intent=_intent_from(data),
                refund=_refund_from(data.get("refund"), data) if isinstance(data.get("refund"), dict) else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError, InvalidOperation, MoneyError) as exc:
            raise WebhookRejected("unreadable event") from exc
        return event


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise ValueError("bad text field")
    return value


def _amount(value: Any, currency: str) -> Money:
    if not isinstance(value, str):
        raise ValueError("amounts are strings")
    return Money.of(Decimal(value), currency)


def _intent_from(data: Mapping[str, Any]) -> IntentState:
    currency = _text(data["currency"], 3)
    card = data.get("card") or {}
    return IntentState(
        intent_id=_text(data["id"], 64),
        status=_text(data["status"], 40),
        amount=_amount(data["amount"], currency),
        captured=_amount(data.get("amount_captured", "0.00"), currency),
        method=str(data.get("method") or "")[:10],
        card_brand=str(card.get("brand") or "")[:20],
        card_last4=str(card.get("last4") or "")[-4:],
        failure_code=str(data.get("failure_code") or "")[:40],
        saved_card=_saved_from(data.get("saved_card")),
    )


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _saved_from(value: Any) -> SavedCardState | None:
    if not isinstance(value, dict):
        return None
    month, year = value.get("exp_month"), value.get("exp_year")
    if not _whole(month) or not _whole(year) or not 1 <= month <= 12 or not 2000 <= year <= 2199:
        raise ValueError("bad saved card")  # even when signed: our columns hold no other expiry
    return SavedCardState(
        token=_text(value.get("id"), 40),
        brand=str(value.get("brand") or "")[:20],
        last4=str(value.get("last4") or "")[-4:],
        exp_month=month,
        exp_year=year,
    )


def _refund_from(refund: Mapping[str, Any], data: Mapping[str, Any]) -> RefundState:
    currency = _text(data["currency"], 3)
    return RefundState(
        refund_id=_text(refund["id"], 64),
        intent_id=_text(data["id"], 64),
        amount=_amount(refund["amount"], currency),
        status=_text(refund.get("status", "succeeded"), 20),
        merchant_key=str(refund.get("merchant_key") or "")[:255],
    )
