"""Who sees an order: its customer; a guest through the browser that placed it or a signed, expiring link."""

from __future__ import annotations

import copy

import pytest
from django.core import signing
from django.test import Client

from tests.ordering import DETAILS, api_add, api_place
from zizhu.orders import access
from zizhu.orders.models import Order
from zizhu.payments import access as payment_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_order(client, customer, tee_m):
    client.force_login(customer)
    api_add(client, "TEE-M", 1)
    assert api_place(client, {**DETAILS, "delivery": "express"}).status_code == 201
    return Order.objects.get()


@pytest.mark.smoke
def test_customer_sees_own_orders_others_get_404(client, customer, other_customer, alice_order):
    listing = client.get("/api/v1/orders").json()
    assert [o["number"] for o in listing["items"]] == [alice_order.number] and listing["total"] == 1
    detail = client.get(f"/api/v1/orders/{alice_order.number}").json()
    assert detail["lines"][0]["sku"] == "TEE-M" and [e["kind"] for e in detail["timeline"]] == ["placed"]
    assert detail["total"]["amount"] == "101.00" and detail["can_cancel"] is True
    page = client.get(f"/orders/{alice_order.number}/")
    assert page.status_code == 200 and alice_order.number in page.content.decode()
    assert client.get("/orders/").status_code == 200
    bob = Client()
    bob.force_login(other_customer)
    assert bob.get(f"/api/v1/orders/{alice_order.number}").status_code == 404
    assert bob.post(f"/api/v1/orders/{alice_order.number}/cancel").status_code == 404
    assert bob.get(f"/orders/{alice_order.number}/").status_code == 404
    assert bob.get("/api/v1/orders").json()["items"] == []
    guest = Client()
    assert guest.get(f"/api/v1/orders/{alice_order.number}").status_code == 404
    assert guest.get("/api/v1/orders/O123").status_code == 404
    alice_order.refresh_from_db()
    assert alice_order.status == "pending_payment"


def test_guest_signed_link_works_and_expires(tee_m, settings):
    buyer = Client()
    api_add(buyer, "TEE-M", 1)
    number = api_place(buyer).json()["number"]
    link = access.order_link(number)
    stranger = Client()
    assert stranger.get(f"/orders/{number}/").status_code == 404
    assert stranger.get(f"/orders/{number}/?t=forged").status_code == 404
    assert stranger.get(link).status_code == 200
    other_number = "O" + "1" * 16
    token = signing.dumps(other_number, salt=access.LINK_SALT)
    assert Client().get(f"/orders/{number}/?t={token}").status_code == 404  # a link for another order
    settings.ZIZHU_ORDER_LINK_MAX_AGE = -1
    assert Client().get(link).status_code == 404


@pytest.mark.smoke
def test_a_guests_grant_cookie_is_bound_to_that_guest(tee_m):
    """The checkout grants the guest's order and payment in signed cookies, not in the session; the
    cookie opens nothing in another browser (another guest key), nor once the guest has signed out."""
    buyer = Client()
    api_add(buyer, "TEE-M", 1)
    placed = api_place(buyer).json()
    number, payment = placed["number"], placed["payment"]["number"]
    assert access.SESSION_KEY not in buyer.session  # the order's request wrote no session
    assert buyer.get(f"/api/v1/orders/{number}").status_code == 200
    assert buyer.get(f"/api/v1/payments/{payment}").status_code == 200
    assert [o["number"] for o in buyer.get("/api/v1/orders").json()["items"]] == [number]
    thief = Client()
    api_add(thief, "TEE-M", 1)  # a guest of their own
    for name in (access.COOKIE, payment_access.COOKIE):
        thief.cookies[name] = buyer.cookies[name].value
    assert thief.get(f"/api/v1/orders/{number}").status_code == 404
    assert thief.get(f"/api/v1/payments/{payment}").status_code == 404
    tampered = buyer.cookies[access.COOKIE].value.replace(number, "O" + "1" * 16)
    forger = Client()
    forger.cookies = copy.deepcopy(buyer.cookies)  # the same guest, with an edited cookie
    forger.cookies[access.COOKIE] = tampered
    assert forger.get("/api/v1/orders").json()["items"] == []
    assert forger.get(f"/api/v1/orders/{number}").status_code == 404
    assert buyer.get(f"/api/v1/orders/{number}").status_code == 200
    assert buyer.post("/api/v1/auth/signout").status_code == 204
    assert buyer.get(f"/api/v1/orders/{number}").status_code in (401, 404)


def test_pdf_receipt_for_the_owner_only(client, other_customer, alice_order):
    response = client.get(f"/orders/{alice_order.number}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "attachment" in response["Content-Disposition"]
    bob = Client()
    bob.force_login(other_customer)
    assert bob.get(f"/orders/{alice_order.number}/receipt.pdf").status_code == 404
