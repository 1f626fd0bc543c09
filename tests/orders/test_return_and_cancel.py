"""After paying, the result page leads back to the order (a guest through the order's signed link,
which also opens in another browser); the guest-link logic is one helper (core.grants) for orders
and payments. Self-service cancellation in page and API, and a concurrent cancel and ship: one wins."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.ordering import DETAILS, api_add, api_place, contact_address, guest_cart, run_in_threads
from tests.payments.conftest import CARDS, pay_on_hosted_page
from zizhu.checkout import services as checkout
from zizhu.core.errors import Conflict, InvalidInput
from zizhu.core.money import Money
from zizhu.inventory import selectors as stock
from zizhu.orders import access as order_access
from zizhu.orders import services
from zizhu.orders.models import Order
from zizhu.payments import access as payment_access
from zizhu.payments import services as payments
from zizhu.payments.models import Payment

pytestmark = pytest.mark.django_db


def guest_order(tee_m, quantity: int = 1) -> Order:
    contact, address = contact_address()
    cart = guest_cart((tee_m, quantity))
    return checkout.place_order(cart=cart, customer=None, contact=contact, address=address, delivery="standard")


@pytest.mark.smoke
def test_a_guests_payment_result_links_to_the_order_even_in_another_browser(client, tee_m):
    assert api_add(client, tee_m.sku).status_code == 201
    placed = api_place(client).json()
    payment = Payment.objects.get(number=placed["payment"]["number"])
    assert payment.return_url.startswith(f"/orders/{placed['number']}/?t=")
    assert client.get(f"/api/v1/payments/{payment.number}").json()["return_url"] == payment.return_url
    pay_on_hosted_page(client, payment, CARDS["success"])
    payments.sync_payment(payment=payment)
    html = client.get(f"/pay/{payment.number}/result/").content.decode()
    assert f'href="{payment.return_url.replace("&", "&amp;")}"' in html
    stranger = Client()
    assert stranger.get(f"/orders/{placed['number']}/").status_code == 404
    assert stranger.get(payment.return_url).status_code == 200  # the signed link grants it
    assert stranger.get(f"/api/v1/orders/{placed['number']}").status_code == 200


def test_a_customers_return_url_is_the_plain_order_page(client, customer, tee_m):
    client.force_login(customer)
    assert api_add(client, tee_m.sku).status_code == 201
    placed = api_place(client).json()
    payment = Payment.objects.get(number=placed["payment"]["number"])
    assert payment.return_url == f"/orders/{placed['number']}/"
    retried = payments.retry_payment(payment=payments.cancel_payment(payment=payment))
    assert retried.return_url == payment.return_url  # a new try keeps the way back


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "orders/1", "/" * 501])
def test_a_return_url_elsewhere_is_refused(url):
    with pytest.raises(InvalidInput) as caught:
        payments.create_payment(reference="O1", amount=Money.of("1.00"), return_url=url)
    assert "return_url" in caught.value.fields
    assert Payment.objects.count() == 0


def test_a_payment_link_never_opens_the_order_and_the_other_way_round(tee_m):
    order = guest_order(tee_m)
    pay_token = payment_access.pay_link(order.payment_number).split("?t=")[1]
    order_token = order_access.order_link(order.number).split("?t=")[1]
    assert Client().get(f"/orders/{order.number}/?t={pay_token}").status_code == 404
    assert Client().get(f"/pay/{order.payment_number}/?t={order_token}").status_code == 404
    assert Client().get(f"/orders/{order.number}/?t={order_token[:-2]}xx").status_code == 404
    assert Client().get(f"/pay/{order.payment_number}/?t={pay_token}").status_code == 200


def test_an_expired_order_link_does_not_open(settings, tee_m):
    order = guest_order(tee_m)
    link = order_access.order_link(order.number)
    settings.ZIZHU_ORDER_LINK_MAX_AGE = -1
    assert Client().get(link).status_code == 404


def paid_guest_order(client, tee_m) -> tuple[Order, Payment]:
    order = guest_order(tee_m, 2)
    session = client.session
    session[order_access.SESSION_KEY] = [order.number]
    session.save()
    payment = Payment.objects.get(number=order.payment_number)
    pay_on_hosted_page(client, payment, CARDS["success"])
    payments.sync_payment(payment=payment)
    from zizhu.core import events

    events.dispatch_pending()
    order.refresh_from_db()
    assert order.status == "paid"
    return order, payment


def test_cancel_on_the_order_page_within_ten_minutes_refunds_automatically(
    client, tee_m, django_capture_on_commit_callbacks
):
    order, payment = paid_guest_order(client, tee_m)
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert f'action="/orders/{order.number}/cancel/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/orders/{order.number}/cancel/")
    assert response.status_code == 302
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == "cancelled" and payment.status == "refunded"
    assert stock.totals(variant_id=tee_m.pk)["allocated"] == 0
    assert "cancel/" not in client.get(f"/orders/{order.number}/").content.decode()


def test_no_cancel_once_shipped_page_and_api(client, tee_m):
    order, payment = paid_guest_order(client, tee_m)
    services.start_fulfilment(order=order)
    services.mark_shipped(order=order)  # still within the 10 minutes: shipping ends it anyway
    assert client.post(f"/api/v1/orders/{order.number}/cancel").json()["code"] == "cancel_not_allowed"
    client.post(f"/orders/{order.number}/cancel/")
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == "shipped" and payment.status == "succeeded"


def test_api_cancel_of_another_customers_order_is_404(client, customer, other_customer, tee_m):
    client.force_login(other_customer)
    assert api_add(client, tee_m.sku).status_code == 201
    number = api_place(client, json.loads(json.dumps(DETAILS))).json()["number"]
    client.force_login(customer)
    assert client.post(f"/api/v1/orders/{number}/cancel").status_code == 404
    assert client.post(f"/orders/{number}/cancel/").status_code == 404
    assert Order.objects.get(number=number).status == "pending_payment"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_cancel_and_ship_never_both_win(tee_m):
    """Both lock the order row first: whichever commits first wins, the other gets 409."""
    outcomes = []
    for _round in range(6):
        order = guest_order(tee_m)
        services.mark_paid(number=order.number, payment_number="P", amount=f"{order.total:.2f}", currency="CNY")
        services.start_fulfilment(order=order)
        Order.objects.filter(pk=order.pk).update(paid_at=timezone.now() - timedelta(minutes=1))

        def act(index: int, number: str = order.number) -> str:
            fresh = Order.objects.get(number=number)
            try:
                if index == 0:
                    services.cancel_order(order=fresh, by_customer=True)
                else:
                    services.mark_shipped(order=fresh)
            except Conflict:
                return "refused"
            return "done"

        results = run_in_threads(2, act)
        order.refresh_from_db()
        assert sorted(results) == ["done", "refused"], results
        assert order.status == ("cancelled" if results[0] == "done" else "shipped")
        outcomes.append(order.status)
    totals = stock.totals(variant_id=tee_m.pk)
    shipped = outcomes.count("shipped")
    assert totals["allocated"] == 0 and totals["shipped"] == shipped  # nothing both shipped and released
    assert totals["on_hand"] == 10 - shipped
