"""What an order tells the payment risk scoring (``zizhu.payments.risk.context``): the delivery
province and address fingerprint, the addresses of this customer's earlier paid orders, the
guest's contact for a one-time code. Registered for references "O…" when this module is imported
(by ``zizhu.orders.events``, imported at start-up)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from zizhu.orders.access import order_link
from zizhu.orders.emails import site_url
from zizhu.orders.models import Order
from zizhu.payments.risk import context

KNOWN_ADDRESSES_LOOKED_AT = 50  # the customer's latest paid orders compared with the new address


def _fingerprint(order: Order) -> str:
    return context.address_fingerprint(order.province, order.city, order.district, order.address_line)


def order_context(reference: str, customer: Any) -> context.PaymentContext | None:
    order = Order.objects.select_related("customer").filter(number=reference).first()
    if order is None:
        return None
    known: set[str] = set()
    if order.customer_id is not None:
        paid = (
            Order.objects.filter(customer_id=order.customer_id, paid_at__isnull=False)
            .exclude(pk=order.pk)
            .order_by("-placed_at")[:KNOWN_ADDRESSES_LOOKED_AT]
        )
        known = {_fingerprint(earlier) for earlier in paid}
    language = getattr(order.customer, "language", "") or settings.LANGUAGE_CODE
    page = order_link(order.number)
    return context.PaymentContext(
        province=order.province,
        address_key=_fingerprint(order),
        known_address_keys=frozenset(known),
        email=order.email,
        phone=order.contact_phone or "",
        language=language,
        link=site_url() + page,
        page=page,
    )


context.register("O", order_context)
