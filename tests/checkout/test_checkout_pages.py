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


def review_key_and_total(client) -> tuple[str, str]:
    review = client.get("/checkout/review/").content.decode()
    key = re.search(r'name="key" value="([^"]+)"', review).group(1)
    return key, re.search(r'name="total" value="([^"]+)"', review).group(1)


def test_an_order_whose_total_changed_after_review_is_refused_not_charged(client, tee_m):
    client.post("/cart/add/", {"sku": "TEE-M", "quantity": "1"})
    client.post("/checkout/", FORM)
    key, shown = review_key_and_total(client)
    assert shown == "89.00"
    client.post("/cart/add/", {"sku": "TEE-M", "quantity": "1"})  # another tab: the cart changed
    response = client.post("/checkout/place/", {"key": key, "total": shown}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert not Order.objects.exists()
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/checkout/review/"
    assert "The total is now ¥158.00, not ¥89.00" in page
    key, shown = review_key_and_total(client)
    assert shown == "158.00"
    client.post("/checkout/place/", {"key": key, "total": shown})
    assert Order.objects.get().total == 158


def test_a_voucher_switched_off_before_placing_is_explained_on_the_review_step(client, tee_m):
    from decimal import Decimal

    from zizhu.checkout.models import Voucher

    Voucher.objects.create(code="FIX5", kind="fixed", value=Decimal("5"))
    client.post("/cart/add/", {"sku": "TEE-M", "quantity": "1"})
    client.post("/checkout/", FORM)
    client.post("/checkout/review/", {"voucher": "fix5"})
    key, shown = review_key_and_total(client)
    assert shown == "84.00"
    Voucher.objects.filter(code="FIX5").update(is_active=False)
    response = client.post("/checkout/place/", {"key": key, "total": shown}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.redirect_chain[-1][0] == "/checkout/review/"
    assert "This voucher is no longer valid." in response.content.decode()
    assert not Order.objects.exists()


def test_a_wrong_voucher_code_is_announced_and_takes_focus(client, tee_m):
    client.post("/cart/add/", {"sku": "TEE-M", "quantity": "1"})
    client.post("/checkout/", FORM)
    page = client.post("/checkout/review/", {"voucher": "NOPE"}).content.decode()
    assert re.search(r'<p class="error" id="id_voucher_error" role="alert">', page)
    assert re.search(r'<input id="id_voucher"[^>]*aria-invalid="true"[^>]*autofocus', page)
