"""Read queries for payments. Every look-up by number also takes the requesting user (DESIGN.md §6)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Q, QuerySet

from zizhu.core.ids import is_valid_number
from zizhu.payments.models import Payment, PaymentEvent, Refund


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
