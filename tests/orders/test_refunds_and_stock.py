"""Refunds move the order only when all the money went back (found by session 7's adversarial
review: a full refund before shipping left the stock allocated for good; a partial refund moved the
order to "partially_refunded", where it could no longer be fulfilled, shipped or cancelled)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from tests.orders.test_lifecycle import pay, payment_of
from zizhu.core import events
from zizhu.core.money import Money
from zizhu.inventory import selectors as stock
from zizhu.orders import services
from zizhu.orders.models import Order, OrderEvent
from zizhu.payments import services as payments

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def order(guest_order):
    return guest_order


def refund(order: Order, amount: str, capture) -> None:
    with capture(execute=True):
        payments.refund_payment(payment=payment_of(order), amount=Money.of(amount, "CNY"), reason="test")
        events.dispatch_pending()
    order.refresh_from_db()


def held(order: Order) -> dict[str, int]:
    return stock.totals(variant_id=order.lines.get().variant_id)


def test_a_full_refund_before_shipping_puts_the_goods_back_on_sale(client, order, django_capture_on_commit_callbacks):
    pay(client, order)
    before = held(order)
    assert before["allocated"] == 1
    refund(order, f"{order.total:.2f}", django_capture_on_commit_callbacks)
    assert order.status == "refunded"
    after = held(order)
    assert after["allocated"] == 0 and after["available"] == before["available"] + 1
    assert after["on_hand"] == before["on_hand"]


def test_a_full_refund_after_shipping_leaves_the_stock_alone(client, order, django_capture_on_commit_callbacks):
    pay(client, order)
    services.start_fulfilment(order=order)
    services.mark_shipped(order=order)
    shipped = held(order)
    refund(order, f"{order.total:.2f}", django_capture_on_commit_callbacks)
    assert order.status == "refunded" and held(order) == shipped


def test_after_a_partial_refund_the_order_can_still_be_shipped(client, order, django_capture_on_commit_callbacks):
    pay(client, order)
    refund(order, "10.00", django_capture_on_commit_callbacks)
    assert order.status == "paid"
    assert OrderEvent.objects.filter(order=order, kind="refunded", status="paid").count() == 1
    services.start_fulfilment(order=order)
    services.mark_shipped(order=order)
    order.refresh_from_db()
    assert order.status == "shipped" and held(order)["allocated"] == 0


def test_after_a_partial_refund_the_customer_can_still_cancel_and_gets_the_rest(
    client, order, django_capture_on_commit_callbacks
):
    pay(client, order)
    refund(order, "10.00", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(order=order, by_customer=True)
        events.dispatch_pending()
    order.refresh_from_db()
    payment = payment_of(order)
    assert order.status == "cancelled" and held(order)["allocated"] == 0
    assert payment.status == "refunded" and payment.refunded_amount == order.total


def test_orders_left_partially_refunded_go_back_to_where_they_were(client, order):
    pay(client, order)
    services.start_fulfilment(order=order)
    Order.objects.filter(pk=order.pk).update(status="partially_refunded")  # what earlier versions did
    OrderEvent.objects.create(order=order, status="partially_refunded", kind="refunded", note="F1 10.00 CNY")
    migration = importlib.import_module("zizhu.orders.migrations.0005_partial_refunds_keep_the_status")
    migration.back_to_where_they_were(apps, None)
    order.refresh_from_db()
    assert order.status == "fulfilling"
    assert not OrderEvent.objects.filter(order=order, status="partially_refunded").exists()


def test_the_receipt_shows_what_was_refunded_and_an_unpaid_one_says_so(
    client, order, django_capture_on_commit_callbacks
):
    from zizhu.orders.access import order_link
    from zizhu.orders.receipts import receipt_lines, receipt_pdf

    with translation.override("en"):
        assert "NOT PAID" in receipt_lines(order)[1].text
    pay(client, order)
    refund(order, "10.00", django_capture_on_commit_callbacks)
    with translation.override("en"):
        texts = [line.text for line in receipt_lines(order)]
    assert not any("NOT PAID" in text for text in texts)
    assert texts[-1] == "Refunded: -¥10.00"
    assert receipt_pdf(order).startswith(b"%PDF")
    page = client.get(order_link(order.number), HTTP_ACCEPT_LANGUAGE="en", follow=True).content.decode()
    assert "Refunded" in page and "-¥10.00" in page
