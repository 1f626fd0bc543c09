"""Unusual quantities ask "are you sure?" before anything is added: over 20 of one item, or far above
(more than 5×) the most this customer ordered before of the item, or of its category. Page (works
without JavaScript) and API (409 `quantity_confirmation_required`, then `confirm_unusual_quantity`)."""

from __future__ import annotations

import json

import pytest

from zizhu.cart import services as carts
from zizhu.cart.models import Cart, CartLine
from zizhu.catalog.owners import Owner
from zizhu.inventory import services as inventory
from zizhu.inventory.models import Stock

pytestmark = pytest.mark.django_db


def past_order(user, variant, quantity):
    """An earlier purchase: an ordered cart (what place_order leaves behind)."""
    cart = carts.open_cart(owner=Owner(user=user), create=True)
    carts.add_item(cart=cart, sku=variant.sku, quantity=quantity, confirmed=True)
    carts.freeze(cart=cart)


def post(client, body):
    return client.post("/api/v1/cart/lines", json.dumps(body), content_type="application/json")


@pytest.fixture
def plenty(tee_m, tee_l):
    for variant in (tee_m, tee_l):
        inventory.set_on_hand(stock=Stock.objects.get(variant=variant), on_hand=60)
    return tee_m, tee_l


@pytest.mark.smoke
def test_api_asks_when_far_above_what_the_customer_usually_buys(client, customer, plenty):
    tee_m, _tee_l = plenty
    past_order(customer, tee_m, 2)
    client.force_login(customer)
    response = post(client, {"sku": tee_m.sku, "quantity": 11})  # > 5 × 2, though under 20
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "quantity_confirmation_required" and "quantity" in body["fields"]
    assert "2" in body["message"]
    assert not CartLine.objects.filter(cart__status=Cart.Status.OPEN).exists()  # nothing added
    assert post(client, {"sku": tee_m.sku, "quantity": 10}).status_code == 201  # 5 × 2 is still usual
    response = post(client, {"sku": tee_m.sku, "quantity": 1})  # 11 in the line now: asks again
    assert response.status_code == 409
    response = post(client, {"sku": tee_m.sku, "quantity": 1, "confirm_unusual_quantity": True})
    assert response.status_code == 201 and response.json()["item_count"] == 11


def test_the_category_counts_when_the_item_is_new_to_the_customer(client, customer, plenty):
    tee_m, tee_l = plenty
    past_order(customer, tee_m, 1)  # the same category (clothing), another item
    client.force_login(customer)
    assert post(client, {"sku": tee_l.sku, "quantity": 5}).status_code == 201
    line = CartLine.objects.get(cart__status=Cart.Status.OPEN)
    response = client.patch(
        f"/api/v1/cart/lines/{line.pk}", json.dumps({"quantity": 6}), content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "quantity_confirmation_required"
    line.refresh_from_db()
    assert line.quantity == 5
    response = client.patch(
        f"/api/v1/cart/lines/{line.pk}",
        json.dumps({"quantity": 6, "confirm_unusual_quantity": True}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["item_count"] == 6


def test_no_history_means_only_the_20_rule(client, customer, plenty):
    tee_m, _tee_l = plenty
    client.force_login(customer)
    assert post(client, {"sku": tee_m.sku, "quantity": 20}).status_code == 201
    response = post(client, {"sku": tee_m.sku, "quantity": 1})
    assert response.status_code == 409 and response.json()["code"] == "quantity_confirmation_required"
    assert post(client, {"sku": tee_m.sku, "quantity": 1, "confirm": True}).status_code == 201  # older clients


def test_another_customers_history_does_not_count(client, customer, other_customer, plenty):
    tee_m, _tee_l = plenty
    past_order(other_customer, tee_m, 1)
    client.force_login(customer)
    assert post(client, {"sku": tee_m.sku, "quantity": 12}).status_code == 201


def test_page_asks_on_the_cart_page_without_javascript(client, customer, plenty):
    tee_m, _tee_l = plenty
    past_order(customer, tee_m, 1)
    client.force_login(customer)
    response = client.post("/cart/add/", {"sku": tee_m.sku, "quantity": "8", "next": "/p/tee/"})
    assert response.status_code == 302 and response["Location"] == "/cart/"  # the question is on the cart page
    html = client.get("/cart/").content.decode()
    assert 'role="alert"' in html and 'name="confirm" value="1"' in html and 'value="8"' in html
    assert not CartLine.objects.filter(cart__status=Cart.Status.OPEN).exists()
    client.post("/cart/add/", {"sku": tee_m.sku, "quantity": "8", "confirm": "1"})
    line = CartLine.objects.get(cart__status=Cart.Status.OPEN)
    assert line.quantity == 8
    # Changing the quantity asks the same way, and the answer goes back to the change form.
    client.post(f"/cart/lines/{line.pk}/", {"quantity": "30"})
    html = client.get("/cart/").content.decode()
    assert f'action="/cart/lines/{line.pk}/"' in html and 'name="confirm" value="1"' in html
    line.refresh_from_db()
    assert line.quantity == 8
    client.post(f"/cart/lines/{line.pk}/", {"quantity": "30", "confirm": "1"})
    line.refresh_from_db()
    assert line.quantity == 30
