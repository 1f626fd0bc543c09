"""Cart pages: stock status, total with delivery, confirmation of unusual quantities, header count."""

from __future__ import annotations

import pytest

from zizhu.inventory import services as inventory
from zizhu.inventory.models import Stock

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_cart_page_shows_stock_total_with_delivery_and_header_count(client, tee_m, tee_l):
    client.post("/cart/add/", {"sku": "TEE-L", "quantity": "1"})
    response = client.get("/cart/")
    html = response.content.decode()
    assert "TEE-L" in html and "¥89.50" in html
    assert "¥99.50" in html  # 89.50 + standard delivery 10.00
    assert 'id="cart-link"' in html and "(1)" in html
    assert client.get("/cart/?delivery=express").content.decode().count("¥111.50") == 1


def test_unusual_quantity_asks_first(client, tee_m):
    inventory.set_on_hand(stock=Stock.objects.get(variant=tee_m), on_hand=40)
    client.post("/cart/add/", {"sku": "TEE-M", "quantity": "25"})
    html = client.get("/cart/").content.decode()
    assert 'name="confirm" value="1"' in html and "cart-lines" not in html  # nothing added yet
    client.post("/cart/add/", {"sku": "TEE-M", "quantity": "25", "confirm": "1"})
    assert "(25)" in client.get("/cart/").content.decode()


def test_bad_quantity_from_the_form_changes_nothing(client, tee_m):
    client.post("/cart/add/", {"sku": "TEE-M", "quantity": "1"})
    from zizhu.cart.models import CartLine

    line = CartLine.objects.get()
    for bad in ("0", "-1", "1.5", "1e3", "", "99999999999"):
        response = client.post(f"/cart/lines/{line.pk}/", {"quantity": bad})
        assert response.status_code == 302
    line.refresh_from_db()
    assert line.quantity == 1


def test_cart_page_query_count(client, customer, tee_m, tee_l, phone_sku, django_assert_max_num_queries):
    client.force_login(customer)
    for sku in ("TEE-M", "TEE-L", phone_sku.sku):
        client.post("/cart/add/", {"sku": sku, "quantity": "1"})
    with django_assert_max_num_queries(7):  # session, user, cart, lines, limits (+ savepoints)
        response = client.get("/cart/")
    assert response.status_code == 200
