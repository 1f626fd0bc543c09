"""Buy again: a past order's items go back into the cart, its details prefill the review step
(one click from the order list to the review, one more to order); what cannot be bought is named."""

from __future__ import annotations

import json

import pytest

from tests.ordering import contact_address
from zizhu.cart import services as carts
from zizhu.cart.models import Cart, CartLine
from zizhu.catalog.owners import Owner
from zizhu.checkout import services as checkout
from zizhu.inventory import services as inventory
from zizhu.inventory.models import Stock
from zizhu.orders.models import Order

pytestmark = pytest.mark.django_db


def past_order(customer, *items, delivery="express") -> Order:
    cart = carts.open_cart(owner=Owner(user=customer), create=True)
    for item, quantity in items:
        carts.add_item(cart=cart, sku=item.sku, quantity=quantity, confirmed=True)
    contact, address = contact_address()
    return checkout.place_order(cart=cart, customer=customer, contact=contact, address=address, delivery=delivery)


@pytest.mark.smoke
def test_buy_again_fills_the_cart_and_goes_to_the_prefilled_review(client, customer, tee_m, phone_sku):
    order = past_order(customer, (tee_m, 2), (phone_sku, 1))
    client.force_login(customer)
    listing = client.get("/orders/").content.decode()
    assert f'action="/checkout/again/{order.number}/"' in listing
    response = client.post(f"/checkout/again/{order.number}/")
    assert response.status_code == 302 and response["Location"] == "/checkout/review/"
    lines = {
        line.variant_id or line.configured_sku_id: line.quantity
        for line in CartLine.objects.filter(cart__status=Cart.Status.OPEN)
    }
    assert lines == {tee_m.pk: 2, phone_sku.pk: 1}
    review = client.get("/checkout/review/").content.decode()
    assert "王小明" in review and "浦东新区" in review and "确认订单并付款" in review
    client.post("/checkout/place/", {"key": "again-1"})
    again = Order.objects.exclude(pk=order.pk).get()
    assert (again.delivery_method, again.district, again.total) == ("express", "浦东新区", order.total)


def test_sold_out_items_are_skipped_and_named(client, customer, tee_m, tee_l):
    order = past_order(customer, (tee_m, 1), (tee_l, 1))
    inventory.set_on_hand(stock=Stock.objects.get(variant=tee_l), on_hand=1)  # the 1 left is the order's
    client.force_login(customer)
    response = client.post(f"/checkout/again/{order.number}/", follow=True)
    html = response.content.decode()
    assert "部分商品无法再次加入" in html and tee_l.product.name_zh in html
    assert CartLine.objects.filter(cart__status=Cart.Status.OPEN).count() == 1


def test_nothing_left_to_buy_goes_back_to_the_order(client, customer, tee_m):
    order = past_order(customer, (tee_m, 1))
    tee_m.product.is_active = False
    tee_m.product.save()
    client.force_login(customer)
    response = client.post(f"/checkout/again/{order.number}/")
    assert response["Location"] == f"/orders/{order.number}/"
    assert not CartLine.objects.filter(cart__status=Cart.Status.OPEN).exists()


def test_another_customers_order_is_404_and_nothing_changes(client, customer, other_customer, tee_m):
    order = past_order(other_customer, (tee_m, 1))
    client.force_login(customer)
    assert client.post(f"/checkout/again/{order.number}/").status_code == 404
    assert client.post("/checkout/again/not-a-number/").status_code == 404
    assert client.get(f"/checkout/again/{order.number}/").status_code == 405
    assert not CartLine.objects.filter(cart__status=Cart.Status.OPEN).exists()


def test_api_buy_again_returns_the_cart_and_the_details_to_order_with(client, customer, other_customer, tee_m):
    order = past_order(customer, (tee_m, 2))
    client.force_login(customer)
    response = client.post(f"/api/v1/checkout/again/{order.number}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["added"] == 1 and body["skipped"] == [] and body["cart"]["item_count"] == 2
    assert body["details"]["address"]["district"] == "浦东新区" and body["details"]["delivery"] == "express"
    placed = client.post(
        "/api/v1/checkout/orders",
        json.dumps(body["details"]),
        content_type="application/json",
        headers={"Idempotency-Key": "again-api"},
    )
    assert placed.status_code == 201, placed.content
    client.force_login(other_customer)
    assert client.post(f"/api/v1/checkout/again/{order.number}").status_code == 404


def test_the_pay_page_preselects_the_method_paid_with_last_time(client, customer, tee_m):
    from zizhu.payments.models import Payment

    first = past_order(customer, (tee_m, 1))
    Payment.objects.filter(number=first.payment_number).update(method="wallet", status="succeeded")
    second = past_order(customer, (tee_m, 1))
    client.force_login(customer)
    html = client.get(f"/pay/{second.payment_number}/").content.decode()
    assert 'value="wallet" checked' in html and 'value="card" checked' not in html
