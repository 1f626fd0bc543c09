"""Paid orders teach the recommender: ``order.paid`` → purchase behaviour events (once)."""

from __future__ import annotations

import pytest

from tests.ordering import contact_address, guest_cart
from zizhu.catalog.models import BehaviourEvent
from zizhu.checkout import services as checkout
from zizhu.core import events
from zizhu.recommendations import services

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def paid_order(capture, customer, *items):
    contact, address = contact_address()
    order = checkout.place_order(
        cart=guest_cart(*items), customer=customer, contact=contact, address=address, delivery="standard"
    )
    events.emit(
        "payment.succeeded",
        {
            "number": order.payment_number,
            "reference": order.number,
            "amount": f"{order.total:.2f}",
            "currency": "CNY",
            "method": "card",
            "customer_id": customer.pk if customer else None,
        },
    )
    for _ in range(3):
        with capture(execute=True):  # the events are written after the handler's commit
            events.dispatch_pending()
    order.refresh_from_db()
    return order


def test_a_paid_order_becomes_purchase_events(customer, tee_m, tee_l, django_capture_on_commit_callbacks) -> None:
    order = paid_order(django_capture_on_commit_callbacks, customer, (tee_m, 1), (tee_l, 2))
    assert order.status == "paid"
    purchases = BehaviourEvent.objects.filter(user=customer, event_type="purchase")
    assert purchases.count() == 1  # two sizes of one product: one product bought
    assert purchases.get().context == {"order": order.number}
    assert services.record_order_purchases(order_number=order.number) == 0  # idempotent


def test_guest_orders_and_unknown_orders_teach_nothing(tee_m, django_capture_on_commit_callbacks) -> None:
    paid_order(django_capture_on_commit_callbacks, None, (tee_m, 1))
    assert not BehaviourEvent.objects.filter(event_type="purchase").exists()
    assert services.record_order_purchases(order_number="nope") == 0
