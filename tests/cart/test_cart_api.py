"""Cart API: nasty quantities, prices from the database, other customers' lines, merge at sign-in."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from zizhu.cart.models import Cart, CartLine
from zizhu.catalog.models import Variant

pytestmark = pytest.mark.django_db
URL = "/api/v1/cart"


def post(client: Client, body: object, path: str = "/lines"):
    return client.post(URL + path, json.dumps(body), content_type="application/json")


def patch(client: Client, line_id: int, body: object):
    return client.patch(f"{URL}/lines/{line_id}", json.dumps(body), content_type="application/json")


@pytest.mark.smoke
def test_guest_adds_changes_and_removes(client, tee_m, tee_l):
    response = post(client, {"sku": "TEE-M", "quantity": 2, "price": "0.01", "total": "0.01"})
    assert response.status_code == 201, response.content
    body = response.json()
    line = body["lines"][0]
    assert line["unit_price"] == {"amount": "79.00", "currency": "CNY"}  # the client's price is ignored
    assert line["total"]["amount"] == "158.00" and line["stock_status"] == "in_stock"
    assert body["delivery"]["code"] == "standard" and body["delivery"]["fee"]["amount"] == "0.00"  # free from 99
    assert body["total"]["amount"] == "158.00" and body["item_count"] == 2
    post(client, {"sku": "TEE-M", "quantity": 1})  # the same item adds up
    response = patch(client, line["id"], {"quantity": 1})
    assert response.json()["lines"][0]["quantity"] == 1
    assert response.json()["total"]["amount"] == "89.00"  # 79 + standard delivery 10
    Variant.objects.filter(sku="TEE-M").update(price=Decimal("70.00"))
    assert client.get(URL).json()["lines"][0]["unit_price"]["amount"] == "70.00"  # re-read every time
    assert client.delete(f"{URL}/lines/{line['id']}").status_code == 204
    assert client.get(URL).json()["lines"] == []


@pytest.mark.smoke
@pytest.mark.parametrize("quantity", [0, -1, 1.5, "1e3", 10**20, "", None, [1], True, "2", {"n": 1}, 100])
def test_bad_quantities_are_refused_and_change_nothing(client, tee_m, quantity):
    assert post(client, {"sku": "TEE-M", "quantity": 1}).status_code == 201
    line_id = CartLine.objects.get().pk
    for response in (
        post(client, {"sku": "TEE-M", "quantity": quantity}),
        patch(client, line_id, {"quantity": quantity}),
    ):
        assert response.status_code == 422, (quantity, response.content)
        body = response.json()
        assert body["code"] == "invalid" and body["fields"]["quantity"]
    assert list(CartLine.objects.values_list("quantity", flat=True)) == [1]


def test_missing_quantity_or_unknown_item(client, tee_m):
    assert post(client, {"sku": "TEE-M"}).status_code == 422
    response = post(client, {"sku": "NOPE", "quantity": 1})
    assert response.status_code == 422 and response.json()["code"] == "unknown_item"
    Variant.objects.filter(sku="TEE-M").update(is_active=False)
    assert post(client, {"sku": "TEE-M", "quantity": 1}).status_code == 422


def test_more_than_in_stock_is_refused(client, tee_l):
    response = post(client, {"sku": "TEE-L", "quantity": 4})
    assert response.status_code == 422 and response.json()["code"] == "not_enough_stock"
    assert not CartLine.objects.exists()


def test_more_than_twenty_needs_confirmation(client, tee_m):
    Variant.objects.filter(pk=tee_m.pk).update(stock=50)
    from zizhu.inventory import services as inventory
    from zizhu.inventory.models import Stock

    inventory.set_on_hand(stock=Stock.objects.get(variant=tee_m), on_hand=50)
    response = post(client, {"sku": "TEE-M", "quantity": 21})
    assert response.status_code == 409 and response.json()["code"] == "quantity_confirmation_required"
    assert not CartLine.objects.exists()
    response = post(client, {"sku": "TEE-M", "quantity": 21, "confirm": True})
    assert response.status_code == 201 and response.json()["item_count"] == 21


def test_configured_phone_is_made_to_order_with_its_limit(client, phone_sku):
    response = post(client, {"sku": phone_sku.sku, "quantity": 2})
    line = response.json()["lines"][0]
    assert line["kind"] == "configured" and line["stock_status"] == "made_to_order"
    assert line["unit_price"]["amount"] == "5200.00" and line["max_quantity"] == 5
    assert post(client, {"sku": phone_sku.sku, "quantity": 4}).status_code == 422  # 6 > 5


def test_other_customers_lines_are_404(client, customer, other_customer, tee_m):
    client.force_login(other_customer)
    post(client, {"sku": "TEE-M", "quantity": 1})
    theirs = CartLine.objects.get().pk
    client.force_login(customer)
    assert patch(client, theirs, {"quantity": 2}).status_code == 404
    assert client.delete(f"{URL}/lines/{theirs}").status_code == 404
    guest = Client()
    assert patch(guest, theirs, {"quantity": 2}).status_code == 404
    assert CartLine.objects.get().quantity == 1


def test_bearer_token_cart(client, customer, password, tee_m):
    token = client.post(
        "/api/v1/auth/tokens",
        json.dumps({"login": customer.email, "password": password, "name": "t"}),
        content_type="application/json",
    )
    assert token.status_code in (200, 201), token.content
    raw = token.json()["token"]
    program = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})
    assert post(program, {"sku": "TEE-M", "quantity": 1}).status_code == 201
    assert Cart.objects.get().user == customer
    anonymous = Client(enforce_csrf_checks=True)
    assert post(anonymous, {"sku": "TEE-M", "quantity": 1}).status_code == 403  # no CSRF token


def test_guest_cart_merges_at_sign_in(client, customer, password, tee_m, tee_l):
    post(client, {"sku": "TEE-M", "quantity": 2})
    signed_in = Client()
    signed_in.force_login(customer)
    post(signed_in, {"sku": "TEE-M", "quantity": 1})
    post(client, {"sku": "TEE-L", "quantity": 1})
    response = client.post("/accounts/signin/", {"username": customer.email, "password": password})
    assert response.status_code == 302, response.content
    assert Cart.objects.count() == 1
    cart = Cart.objects.get()
    assert cart.user == customer
    assert dict(cart.lines.values_list("variant__sku", "quantity")) == {"TEE-M": 3, "TEE-L": 1}
    assert client.get(URL).json()["item_count"] == 4


def test_cart_api_query_count(client, tee_m, tee_l, phone_sku, django_assert_max_num_queries):
    for sku in ("TEE-M", "TEE-L", phone_sku.sku):
        post(client, {"sku": sku, "quantity": 1})
    with django_assert_max_num_queries(4):  # (session,) cart, lines joined with products, limits
        response = client.get(URL)
    assert len(response.json()["lines"]) == 3
