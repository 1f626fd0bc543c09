"""Trying again after a declined card never charges an order twice, and a cancelled order takes no
new payment (found by an adversarial review in session 7: "try again" on the first, declined
payment opened a second payment after the order was already paid, and both were captured)."""

from __future__ import annotations

import pytest

from tests.payments.conftest import CARDS, pay_on_hosted_page
from tests.payments.test_api import card_token, confirm
from zizhu.core import events
from zizhu.core.errors import Conflict
from zizhu.orders import services
from zizhu.orders.models import Order, OrderEvent
from zizhu.payments import access
from zizhu.payments import services as payments
from zizhu.payments.models import Payment, Refund

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def order(guest_order):
    return guest_order


def declined(client, order: Order) -> Payment:
    payment = Payment.objects.get(number=order.payment_number)
    pay_on_hosted_page(client, payment, CARDS["decline"])
    return payments.sync_payment(payment=payment)


def paid(client, payment: Payment) -> Payment:
    pay_on_hosted_page(client, payment, CARDS["success"])
    payment = payments.sync_payment(payment=payment)
    events.dispatch_pending()
    return payment


def refusal_of_retry(payment: Payment) -> str:
    with pytest.raises(Conflict) as refused:
        payments.retry_payment(payment=payment)
    return str(refused.value.code)


def test_trying_again_after_the_order_is_paid_is_refused(client, order):
    first = declined(client, order)
    second = payments.retry_payment(payment=first)
    assert paid(client, second).status == "succeeded"
    order.refresh_from_db()
    assert order.status == "paid" and order.payment_number == second.number

    assert refusal_of_retry(first) == "already_paid"
    assert Payment.objects.filter(reference=order.number).count() == 2


def test_trying_again_twice_gives_the_same_open_payment(client, order):
    first = declined(client, order)
    second = payments.retry_payment(payment=first)
    assert payments.retry_payment(payment=first) == second
    assert Payment.objects.filter(reference=order.number).count() == 2


def test_a_cancelled_order_takes_no_new_payment(client, order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(order=order, by_customer=True)
    cancelled = Payment.objects.get(number=order.payment_number)
    assert cancelled.status == "cancelled"
    assert refusal_of_retry(cancelled) == "not_payable"
    assert Payment.objects.filter(reference=order.number).count() == 1


def test_the_pay_again_button_on_a_paid_order_explains_and_opens_nothing(client, order):
    first = declined(client, order)
    client.get(access.pay_link(first.number))  # the guest's browser holds the payment
    response = client.post(f"/pay/{first.number}/retry/", HTTP_ACCEPT_LANGUAGE="en")
    second = Payment.objects.exclude(pk=first.pk).get()
    assert response["Location"] == f"/pay/{second.number}/"
    paid(client, second)

    response = client.post(f"/pay/{first.number}/retry/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert Payment.objects.filter(reference=order.number).count() == 2
    assert "This order has already been paid." in response.content.decode()


def test_a_second_payment_that_succeeds_anyway_is_refunded_in_full(client, order, django_capture_on_commit_callbacks):
    first = declined(client, order)
    second = payments.retry_payment(payment=first)
    # Another way for two payments to exist at once (e.g. a provider's late success): write it directly.
    third = payments.create_payment(reference=order.number, amount=second.money, return_url=second.return_url)
    with django_capture_on_commit_callbacks(execute=True):
        paid(client, second)
        paid(client, third)
        events.dispatch_pending()
    order.refresh_from_db()
    assert order.status == "paid" and order.payment_number == second.number
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1
    assert OrderEvent.objects.filter(order=order, kind="paid_twice").count() == 1
    refunds = Refund.objects.filter(payment__reference=order.number, status="succeeded")
    assert [(r.payment.number, r.amount) for r in refunds] == [(third.number, third.amount)]
    second.refresh_from_db()
    assert second.status == "succeeded"


def test_the_api_refuses_a_card_for_a_cancelled_orders_payment(client, order, django_capture_on_commit_callbacks):
    payment = Payment.objects.get(number=order.payment_number)
    client.get(access.pay_link(payment.number))
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(order=order, by_customer=True)
    response = confirm(client, Payment.objects.get(pk=payment.pk), card_token(client))
    assert response.status_code == 409 and response.json()["code"] == "payment_closed"
    assert Payment.objects.get(pk=payment.pk).captured_amount == 0
