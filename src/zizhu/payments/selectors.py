"""Read queries for payments. Every look-up by number also takes the requesting user (DESIGN.md §6)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from zizhu.core.ids import is_valid_number
from zizhu.payments.models import PasswordFreePayment, Payment, PaymentEvent, Refund, SavedCard


def get_payment_for(*, number: str, user: Any, granted: Collection[str] = ()) -> Payment | None:
    """The payment if it is the user's own, or a guest payment granted to this session; else None."""
    if not is_valid_number("payment", number):
        return None
    allowed = Q(customer__isnull=True, number__in=list(granted))
    if user is not None and user.is_authenticated:
        allowed |= Q(customer_id=user.pk)
    return Payment.objects.filter(allowed, number=number).first()


def payment_refunds(*, payment: Payment) -> QuerySet[Refund]:
    return Refund.objects.filter(payment=payment).order_by("created_at", "id")


def payment_timeline(*, payment: Payment) -> QuerySet[PaymentEvent]:
    return PaymentEvent.objects.filter(payment=payment).order_by("created_at", "id")


def payments_for_reference(*, reference: str) -> QuerySet[Payment]:
    """All payments made for one reference (e.g. an order), newest first. For other apps' services."""
    return Payment.objects.filter(reference=reference).order_by("-created_at")


def preferred_method(*, user: Any) -> str:
    """The method of the customer's latest successful payment ("card" or "wallet"), "" if none: the pay
    page preselects it, so a returning customer does not choose again."""
    if user is None or not user.is_authenticated:
        return ""
    paid = (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED)
    latest = Payment.objects.filter(customer_id=user.pk, status__in=paid).exclude(method="").order_by("-paid_at")
    return latest.values_list("method", flat=True).first() or ""


# --- saved cards (``zizhu.payments.saved_cards``) ----------------------------------------------------------------


def saved_cards_for(*, user: Any) -> QuerySet[SavedCard]:
    """The customer's saved cards, the last used first (the token stays encrypted: it is not loaded)."""
    if user is None or not user.is_authenticated:
        return SavedCard.objects.none()
    return SavedCard.objects.filter(customer_id=user.pk).defer("token")


def usable_saved_cards(*, user: Any, today: date | None = None) -> list[SavedCard]:
    """The cards that can pay today: expired ones are not offered."""
    return [card for card in saved_cards_for(user=user) if not card.is_expired(today)]


def saved_card_for(*, user: Any, card_id: Any) -> SavedCard | None:
    """One of the customer's own saved cards, or None (another customer's, removed, or not an id)."""
    try:
        pk = int(card_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return saved_cards_for(user=user).filter(pk=pk).first()


def password_free_for(*, user: Any) -> PasswordFreePayment:
    """The customer's 小额免密支付 setting (``zizhu.payments.password_free``); off when never set (not saved)."""
    if user is None or not user.is_authenticated:
        return PasswordFreePayment(enabled=False)
    return PasswordFreePayment.objects.filter(customer_id=user.pk).first() or PasswordFreePayment(customer_id=user.pk)
