"""Orders react to payments (DESIGN.md §3: payments sit below orders and announce by events),
and send the confirmation e-mail when an order is paid."""

from __future__ import annotations

from zizhu.core import events
from zizhu.core.models import OutboxEvent
from zizhu.orders import risk_context  # noqa: F401  (registers the orders' risk context for payments)


@events.handler("payment.succeeded", name="orders.mark_paid")
def order_paid(event: OutboxEvent) -> None:
    from zizhu.orders import services

    data = event.payload
    reference = str(data.get("reference", ""))
    if not reference.startswith("O"):
        return  # not an order (e.g. a booking)
    services.mark_paid(
        number=reference,
        payment_number=str(data.get("number", "")),
        amount=str(data.get("amount", "0")),
        currency=str(data.get("currency", "CNY")),
    )


@events.handler("payment.refunded", name="orders.record_refund")
def order_refunded(event: OutboxEvent) -> None:
    from zizhu.orders import services

    data = event.payload
    reference = str(data.get("reference", ""))
    if reference.startswith("O"):
        services.record_refund(
            number=reference,
            refund=str(data.get("refund", "")),
            amount=str(data.get("amount", "")),
            fully_refunded=bool(data.get("fully_refunded")),
            payment_number=str(data.get("number", "")),
        )


@events.handler("payment.review_rejected", name="orders.cancel_rejected")
def payment_rejected(event: OutboxEvent) -> None:
    """Staff rejected a held payment (fraud review): the order is cancelled and its stock released."""
    from django.utils.translation import gettext as _

    from zizhu.orders import services
    from zizhu.orders.models import Order

    reference = str(event.payload.get("reference", ""))
    order = Order.objects.filter(number=reference).first() if reference.startswith("O") else None
    if order is not None:
        services.cancel_order(order=order, by_customer=False, reason=_("Payment not accepted by our review"))


@events.handler("order.paid", name="orders.send_confirmation")
def send_confirmation(event: OutboxEvent) -> None:
    from zizhu.orders import emails

    emails.send_confirmation(number=str(event.payload.get("number", "")))
