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
