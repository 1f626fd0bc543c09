"""Checkout reacts to cancelled orders: the voucher use goes back."""

from __future__ import annotations

from zizhu.core import events
from zizhu.core.models import OutboxEvent


@events.handler("order.cancelled", name="checkout.give_back_voucher")
def give_back_voucher(event: OutboxEvent) -> None:
    from zizhu.checkout import discounts

    number = event.payload.get("number")
    if isinstance(number, str):
        discounts.give_back(order_number=number)
