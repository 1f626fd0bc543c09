"""Recommendation fragments on the home and product pages, and hiding an item from them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zizhu.recommendations import services
from zizhu.recommendations.models import HiddenItem

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_pages_load_the_fragments_after_themselves(client, shop):
    home = client.get("/").content.decode()
    assert f'hx-get="{reverse("recommendations:for_you")}"' in home
    product = client.get(reverse("catalog:product", args=[shop["A"].slug])).content.decode()
    assert f'hx-get="{reverse("recommendations:related", args=[shop["A"].pk])}"' in product


def test_before_any_training_guests_see_best_sellers(client, shop):
    html = client.get(reverse("recommendations:for_you")).content.decode()
    assert "for-you-title" in html
    assert shop["A"].name in html or shop["C"].name in html
    assert "Don&#x27;t show" not in html and "不再显示" not in html  # guests cannot hide


def test_for_you_explains_itself_and_hidden_items_never_come_back(client, shop, history):
    services.train_recommendations()
    client.force_login(history)
    html = client.get(reverse("recommendations:for_you"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert shop["C"].name in html and "Because you bought" in html
    hide_url = reverse("recommendations:hide", args=[shop["C"].pk])
    assert hide_url in html
    response = client.post(hide_url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    assert HiddenItem.objects.filter(customer=history, product=shop["C"]).count() == 1
    services.train_recommendations()
    assert shop["C"].name not in client.get(reverse("recommendations:for_you")).content.decode()


def test_product_fragment_shows_similar_and_bought_together(client, shop, history):
    services.train_recommendations()
    html = client.get(reverse("recommendations:related", args=[shop["A"].pk])).content.decode()
    assert "similar-title" in html or "together-title" in html


def test_hiding_needs_a_signed_in_customer_and_a_post(client, shop, history):
    hide_url = reverse("recommendations:hide", args=[shop["C"].pk])
    assert client.post(hide_url).status_code == 302  # to sign-in
    client.force_login(history)
    assert client.get(hide_url).status_code == 405
    assert client.post(reverse("recommendations:hide", args=[999_999])).status_code == 404
    assert HiddenItem.objects.count() == 0
