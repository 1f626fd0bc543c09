"""Read queries for orders. Every look-up by number also takes the requesting user (DESIGN.md §6)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from zizhu.core.ids import is_valid_number
from zizhu.core.money import Money
from zizhu.orders.models import Order, OrderEvent, OrderLine
from zizhu.payments.models import Refund


def get_order_for(*, number: str, user: Any, granted: Collection[str] = ()) -> Order | None:
    """The order if it is the user's own, or a guest order granted to this session; else None."""
    if not is_valid_number("order", number):
        return None
    allowed = Q(customer__isnull=True, number__in=list(granted))
    if user is not None and user.is_authenticated:
        allowed |= Q(customer_id=user.pk)
    return (
        Order.objects.filter(allowed, number=number)
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
            Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "id")),
        )
        .first()
    )


def orders_of(*, user: Any) -> QuerySet[Order]:
    if user is None or not user.is_authenticated:
        return Order.objects.none()
    return Order.objects.filter(customer_id=user.pk).order_by("-placed_at", "-id")


def payment_refusal(reference: str) -> str | None:
    """For ``payments.references``: why the order ``reference`` takes no new payment (None when it
    does, or when it is not an order's number)."""
    status = Order.objects.filter(number=reference).values_list("status", flat=True).first()
    if status is None or status == Order.Status.PENDING_PAYMENT:
        return None
    if status == Order.Status.CANCELLED:
        return _("This order has been cancelled, so it can no longer be paid.")
    return _("This order has already been paid.")


def refunded(order: Order) -> Money:
    """What has gone back to the customer for ``order`` so far (refunds the gateway confirmed, over
    all the order's payments; one still on its way is not counted yet)."""
    done = Refund.objects.filter(payment__reference=order.number, status=Refund.Status.SUCCEEDED)
    return Money.of(done.aggregate(n=Sum("amount"))["n"] or 0, order.currency)
