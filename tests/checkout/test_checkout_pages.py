"""The checkout pages: steps visible, guest first, at most 8 fields, errors by their fields, review, pay."""

from __future__ import annotations

import re

import pytest

from tests.ordering import DETAILS
from zizhu.orders.models import Order

pytestmark = pytest.mark.django_db

FORM = {
    "name": DETAILS["contact"]["name"],
    "phone": DETAILS["contact"]["phone"],
    "email": DETAILS["contact"]["email"],
    **DETAILS["address"],
    "delivery": "standard",
}


def fields_of(html: str) -> set[str]:
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*name="([a-z_]+)"', html))
    return names - {"csrfmiddlewaretoken", "next", "language", "enabled", "q"}


@pytest.mark.smoke
def test_guest_checkout_from_cart_to_pay_page(client, tee_m):
    client.post("/cart/add/", {"sku": "TEE-M", "quantity": "1"})
    page = client.get("/checkout/").content.decode()
    assert "第1步/共3步" in page and "第2步/共3步" in page and "第3步/共3步" in page
    assert page.index("无需注册") < page.index('<form method="post" action="/checkout/"')  # guest first
    assert len(fields_of(page)) <= 8, fields_of(page)
    for token in ('autocomplete="name"', 'autocomplete="tel-national"', 'autocomplete="address-line1"'):
        assert token in page
    response = client.post("/checkout/", {**FORM, "phone": "12345", "name": ""})
    html = response.content.decode()
    assert response.status_code == 200 and 'class="error-summary"' in html
    assert 'id="id_phone_error"' in html and 'id="id_name_error"' in html
    response = client.post("/checkout/", FORM)
    assert response.status_code == 302 and response["Location"] == "/checkout/review/"
    review = client.get("/checkout/review/").content.decode()
    assert "第3步/共3步" in review and "¥89.00" in review  # 79 + 10 delivery
    key = re.search(r'name="key" value="([^"]+)"', review).group(1)
    response = client.post("/checkout/place/", {"key": key})
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pay/{order.payment_number}/"
    assert client.post("/checkout/place/", {"key": key})["Location"] == f"/pay/{order.payment_number}/"  # double click
    assert Order.objects.count() == 1
    assert client.get(response["Location"]).status_code == 200
    receipt = client.get(f"/orders/{order.number}/").content.decode()
    assert order.number in receipt and "¥89.00" in receipt


def test_returning_customer_orders_again_in_three_clicks(client, customer, tee_m):
    client.force_login(customer)
    client.post("/cart/add/", {"sku": "TEE-M", "quantity": "1"})
    client.post("/checkout/", {**FORM, "email": "", "saved": "new"})
    review = client.get("/checkout/review/").content.decode()
    client.post("/checkout/place/", {"key": re.search(r'name="key" value="([^"]+)"', review).group(1)})
    client.post("/cart/add/", {"sku": "TEE-M", "quantity": "1"})
    # click 1: cart → checkout (saved address and delivery preselected); click 2: continue; click 3: confirm.
    page = client.get("/checkout/").content.decode()
    saved = re.search(r'name="saved" value="(\d+)"[^>]*checked', page)
    assert saved is not None
    response = client.post("/checkout/", {"saved": saved.group(1), "delivery": "standard"})
    assert response["Location"] == "/checkout/review/"
    review = client.get("/checkout/review/").content.decode()
    response = client.post("/checkout/place/", {"key": re.search(r'name="key" value="([^"]+)"', review).group(1)})
    assert response.status_code == 302 and Order.objects.count() == 2


def test_checkout_with_empty_cart_goes_back_to_cart(client):
    assert client.get("/checkout/")["Location"] == "/cart/"
    assert client.get("/checkout/review/")["Location"] == "/checkout/"


def test_a_click_while_the_first_is_still_placing_the_order_lands_on_its_payment(client, tee_m, monkeypatch):
    from zizhu.checkout import services, views
    from zizhu.core.errors import Conflict

    client.post("/cart/add/", {"sku": "TEE-M", "quantity": "1"})
    client.post("/checkout/", FORM)
    key = re.search(r'name="key" value="([^"]+)"', client.get("/checkout/review/").content.decode()).group(1)
    real = services.place_order
    calls = []

    def first_click_still_running(**details):
        calls.append(1)
        if len(calls) == 1:  # what the second click sees while the first holds the key
            raise Conflict("in use", code="idempotency_key_in_use")
        return real(**details)

    monkeypatch.setattr(views.services, "place_order", first_click_still_running)
    response = client.post("/checkout/place/", {"key": key})
    order = Order.objects.get()
    assert response["Location"] == f"/pay/{order.payment_number}/" and len(calls) == 2


def test_a_field_that_fails_its_own_check_gets_one_message(client, tee_m):
    client.post("/cart/add/", {"sku": "TEE-M", "quantity": "1"})
    response = client.post("/checkout/", {**FORM, "name": "名" * 5000}, HTTP_ACCEPT_LANGUAGE="en")
    form = response.context["form"]
    assert len(form.errors["name"]) == 1 and "at most 60" in form.errors["name"][0]
