"""Buy again: a past order's items go back into the cart and its contact, address and delivery become
the checkout's details, so a returning customer goes from "buy again" straight to the review step
(my orders → buy again → confirm: three clicks). Prices are the catalogue's of today, as always."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from zizhu.cart import services as carts
from zizhu.cart.models import Cart
from zizhu.core.errors import DomainError
from zizhu.orders.models import Order


@dataclass
class Outcome:
    added: int = 0
    skipped: list[str] = field(default_factory=list)  # names of items no longer on sale or in stock
    details: dict[str, Any] = field(default_factory=dict)


def buy_again(*, order: Order, cart: Cart) -> Outcome:
    """Add the order's lines to ``cart`` (each as it can: an item sold out or gone is skipped and named)."""
    outcome = Outcome(details=details_of(order))
    for line in order.lines.all():
        try:
            with transaction.atomic():
                # The customer chose these quantities before: no "are you sure?" for them again.
                carts.add_item(cart=cart, sku=line.sku, quantity=line.quantity, confirmed=True)
        except DomainError:
            outcome.skipped.append(line.name)
        else:
            outcome.added += 1
    return outcome


def details_of(order: Order) -> dict[str, Any]:
    """The checkout's details as the form stores them, from the order (checked again when placing)."""
    return {
        "contact": {"name": order.contact_name, "phone": str(order.contact_phone), "email": order.email},
        "address": {
            "province": order.province,
            "city": order.city,
            "district": order.district,
            "line": str(order.address_line),
        },
        "delivery": order.delivery_method,
    }
