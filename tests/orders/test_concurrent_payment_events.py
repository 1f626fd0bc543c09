"""On PostgreSQL with parallel connections: many payment.succeeded deliveries at once → paid once."""

from __future__ import annotations

import pytest

from tests.ordering import contact_address, guest_cart, run_in_threads
from zizhu.checkout import services as checkout
from zizhu.core.models import OutboxEvent
from zizhu.orders import services
from zizhu.orders.models import Order, OrderEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_duplicate_success_events_mark_paid_once(tee_m):
    contact, address = contact_address()
    order = checkout.place_order(
        cart=guest_cart((tee_m, 1)), customer=None, contact=contact, address=address, delivery="standard"
    )

    def deliver(index: int) -> str:
        return services.mark_paid(
            number=order.number, payment_number=order.payment_number, amount=f"{order.total:.2f}", currency="CNY"
        )

    results = run_in_threads(8, deliver)
    assert sorted(results) == ["duplicate"] * 7 + ["paid"], results
    assert Order.objects.get(pk=order.pk).status == "paid"
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1
    assert OutboxEvent.objects.filter(topic="order.paid").count() == 1
