"""The cart page's "for you" and "frequently bought together", with a one-click add form that posts
to the cart (works without JavaScript; with HTMX it swaps the message, cart link and cart lines)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from zizhu.cart.models import CartLine
from zizhu.catalog.models import Variant
from zizhu.inventory import services as inventory
from zizhu.recommendations import services

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def stocked(shop, history):
    """Every product sold in one version, except B (two colours)."""
    for code, product in shop.items():
        Variant.objects.create(product=product, sku=f"SKU-{code}", price=Decimal("9.90"), stock=10)
    Variant.objects.create(product=shop["B"], sku="SKU-B2", price=Decimal("9.90"), stock=10)
    inventory.take_over_variants(variant_ids=Variant.objects.values_list("pk", flat=True))
    services.train_recommendations()
    return shop


def test_cart_page_loads_the_suggestions_with_its_products(client, stocked) -> None:
    client.post(reverse("cart:add"), {"sku": "SKU-D", "quantity": "1"})
    html = client.get(reverse("cart:cart")).content.decode()
    assert f'hx-get="{reverse("recommendations:cart")}?p={stocked["D"].pk}"' in html
    assert 'id="cart-content"' in html


def test_bought_together_and_for_you_with_one_click_add(client, stocked) -> None:
    shop = stocked
    html = client.get(
        reverse("recommendations:cart"), {"p": [shop["D"].pk]}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    together, _sep, rest = html.partition("cart-for-you-title")
    assert "Frequently bought together" in together and shop["E"].name in together
    assert shop["D"].name not in html  # already in the cart
    assert f'action="{reverse("cart:add")}"' in together and 'value="SKU-E"' in together
    assert 'name="next" value="/cart/"' in together
    assert "Add to cart" in together and 'hx-select-oob="#site-messages:innerHTML,#cart-link,#cart-content"' in together
    assert shop["E"].name not in rest  # each product once
    assert 'value="SKU-B' not in html  # two versions: a link to choose one instead
    if shop["B"].name in html:
        assert "Choose a version" in html


def test_one_click_add_works_without_javascript_and_with_htmx(client, stocked) -> None:
    response = client.post(reverse("cart:add"), {"sku": "SKU-E", "quantity": "1", "next": "/cart/", "swap": "1"})
    assert response.status_code == 302 and response["Location"] == "/cart/"
    htmx = client.post(
        reverse("cart:add"), {"sku": "SKU-C", "quantity": "1", "next": "/cart/", "swap": "1"}, HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 302 and "HX-Redirect" not in htmx  # HTMX follows it and swaps parts of the page
    page = client.get("/cart/").content.decode()
    assert 'id="site-messages"' in page and "已加入购物车。" in page  # what HTMX swaps into the status region
    assert sorted(CartLine.objects.values_list("variant__sku", flat=True)) == ["SKU-C", "SKU-E"]
    configurator = client.post(reverse("cart:add"), {"sku": "SKU-A", "quantity": "1"}, HTTP_HX_REQUEST="true")
    assert configurator["HX-Redirect"] == "/cart/"  # other HTMX forms still navigate


def test_product_page_bought_together_has_one_click_add(client, stocked) -> None:
    html = client.get(reverse("recommendations:related", args=[stocked["D"].pk])).content.decode()
    assert 'value="SKU-E"' in html and f'value="{reverse("catalog:product", args=[stocked["D"].slug])}"' in html


def test_bad_product_ids_are_ignored(client, stocked) -> None:
    response = client.get(reverse("recommendations:cart"), {"p": ["x", "999999", "-1"]})
    assert response.status_code == 200
