"""The listing pages' cache: whole main content cached, yet prices, stock and personal bits are always current."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from zizhu.catalog.models import Variant

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

SEARCH = "/search/?q=%E6%89%8B%E6%9C%BA"  # 手机


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch):
    monkeypatch.setattr("zizhu.search.selectors.CACHE_SECONDS", 300)
    from django.core.cache import cache

    cache.clear()


def card(html: str, name: str) -> str:
    """The product card holding ``name`` (its price and stock line)."""
    start = html.index(name)
    return html[start : html.index("</li>", start)]


@pytest.mark.parametrize("url", [SEARCH, "/c/phones/"])
def test_a_price_change_shows_at_once_although_the_index_has_not_followed(client, shop, url):
    assert "¥999.00" in card(client.get(url).content.decode(), "小米 Redmi 13")  # now cached
    # A bare UPDATE: no outbox event, no reindex, the index version (and so the cache key) unchanged,
    # as in production in the moment before the Celery worker has reindexed the product.
    Variant.objects.filter(product=shop.products["redmi-13"]).update(price=Decimal("888.00"))
    shown = card(client.get(url).content.decode(), "小米 Redmi 13")
    assert "¥888.00" in shown and "¥999.00" not in shown


def test_a_stock_change_shows_at_once_on_a_cached_page(client, shop):
    assert "out-of-stock" in card(client.get(SEARCH).content.decode(), "小米 Redmi 13")
    Variant.objects.filter(product=shop.products["redmi-13"]).update(stock=4)
    assert "in-stock" in card(client.get(SEARCH).content.decode(), "小米 Redmi 13")
    assert client.get("/api/v1/catalog/products?q=redmi").json()["items"][0]["in_stock"] is True


def test_the_api_shows_the_live_price_too(client, shop):
    client.get("/api/v1/catalog/products?q=redmi")
    Variant.objects.filter(product=shop.products["redmi-13"]).update(price=Decimal("777.00"))
    assert client.get("/api/v1/catalog/products?q=redmi").json()["items"][0]["price"]["amount"] == "777.00"


def test_another_visitors_personal_bits_never_come_from_the_cache(shop, customer):
    url = "/search/?q=%E9%95%BF%E8%BE%88%E7%89%88"  # 长辈版: the page offers the elder-mode switch (a POST form)
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(customer)
    mine = signed_in.get(url).content.decode()  # fills the cache
    guest = Client(enforce_csrf_checks=True)
    theirs = guest.get(url).content.decode()
    signout = reverse("accounts:signout")
    assert signout in mine and signout not in theirs  # the layout is each visitor's own
    assert "zizhu-csrf-slot" not in theirs
    my_tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', mine))
    their_tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', theirs))
    assert len(their_tokens) >= 1 and my_tokens and not my_tokens & their_tokens
    # the elder-mode offer inside the cached content posts with the guest's own token
    elder_url = reverse("storefront:set_elder_mode")
    assert theirs.count(f'action="{elder_url}"') == 2  # the header's switch and the offer in the content
    answer = guest.post(elder_url, {"csrfmiddlewaretoken": their_tokens.pop(), "enabled": "1", "next": url})
    assert answer.status_code == 302
    elder = guest.get(url).content.decode()
    assert 'class="elder"' in elder and "关闭长辈模式" in elder  # the elder page, not the cached standard one


def test_a_cached_page_runs_the_same_queries_whatever_the_page_size(client, shop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (2, 60):
        url = f"{SEARCH}&page_size={size}"
        client.get(url)  # fills the cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_live_prices_follow_the_catalogue_rules(shop):
    from zizhu.catalog.models import Product
    from zizhu.catalog.selectors import from_price, live_prices, product_in_stock

    phone = shop.products["mate-60"]  # two variants, both in stock
    Variant.objects.filter(sku="mate-60-0").update(price=Decimal("6399.50"), is_active=False)
    built = Product.objects.create(slug="custom-pc", name_zh="定制电脑", category=shop.categories["laptops"],
                                   price=Decimal("4999.00"), is_configurable=True)  # fmt: skip
    bare = Product.objects.create(slug="no-variants", name_zh="无规格", category=shop.categories["food"],
                                  price=Decimal("9.90"))  # fmt: skip
    hidden = Product.objects.create(slug="off-sale", name_zh="下架", category=shop.categories["food"],
                                    price=Decimal("1.00"), is_active=False)  # fmt: skip
    live = live_prices([phone.pk, built.pk, bare.pk, hidden.pk])
    assert hidden.pk not in live
    for product in (phone, built, bare):
        product = Product.objects.prefetch_related("variants").get(pk=product.pk)
        assert live[product.pk] == (from_price(product), product_in_stock(product)), product.slug
    assert live[phone.pk] == (Decimal("6499.00"), True)  # the inactive cheaper variant does not count
