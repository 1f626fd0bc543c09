"""A product's purchase limit holds for all its lines together (sizes, colours), in the cart, when
carts merge at sign-in, and at checkout (found by session 7's adversarial review: it was checked per
line, so 2 red + 2 white + 2 grey passed a limit of 2)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.ordering import contact_address
from zizhu.cart.models import Cart, CartLine
from zizhu.checkout import services as checkout
from zizhu.core.errors import Conflict
from zizhu.inventory.models import PurchaseLimit

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
URL = "/api/v1/cart"


@pytest.fixture
def limit_of_two(shirt):
    return PurchaseLimit.objects.create(product=shirt, max_quantity=2)


def add(client: Client, sku: str, quantity: int):
    return client.post(URL + "/lines", json.dumps({"sku": sku, "quantity": quantity}), content_type="application/json")


def held(cart: Cart) -> dict[str, int]:
    return dict(cart.lines.values_list("variant__sku", "quantity"))


def test_another_size_of_a_product_at_its_limit_is_refused(client, tee_m, tee_l, limit_of_two):
    assert add(client, "TEE-M", 2).status_code == 201
    response = add(client, "TEE-L", 1)
    assert response.status_code == 422 and response.json()["code"] == "over_product_limit"
    assert "quantity" in response.json()["fields"]
    assert held(Cart.objects.get()) == {"TEE-M": 2}


def test_raising_one_size_over_the_products_limit_is_refused(client, tee_m, tee_l, limit_of_two):
    add(client, "TEE-M", 1)
    add(client, "TEE-L", 1)
    line = CartLine.objects.get(variant=tee_m)
    response = client.patch(f"{URL}/lines/{line.pk}", json.dumps({"quantity": 2}), content_type="application/json")
    assert response.status_code == 422
    assert held(Cart.objects.get()) == {"TEE-M": 1, "TEE-L": 1}


def test_merging_at_sign_in_keeps_the_products_limit(client, customer, password, tee_m, tee_l, limit_of_two):
    signed_in = Client()
    signed_in.force_login(customer)
    add(signed_in, "TEE-M", 1)
    add(client, "TEE-L", 2)  # the guest's cart
    assert client.post("/accounts/signin/", {"username": customer.email, "password": password}).status_code == 302
    assert held(Cart.objects.get(user=customer)) == {"TEE-M": 1, "TEE-L": 1}


def test_checkout_refuses_a_cart_over_the_products_limit(tee_m, tee_l, limit_of_two):
    cart = Cart.objects.create(guest_key="limit-test")
    CartLine.objects.create(cart=cart, variant=tee_m, quantity=2)  # written around the cart's checks
    CartLine.objects.create(cart=cart, variant=tee_l, quantity=1)
    contact, address = contact_address()
    with pytest.raises(Conflict) as refused:
        checkout.place_order(cart=cart, customer=None, contact=contact, address=address, delivery="standard")
    assert refused.value.code == "cart_problem" and "2" in str(refused.value.message)
    cart.refresh_from_db()
    assert cart.status == Cart.Status.OPEN
