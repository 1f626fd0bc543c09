"""Hot pages run a fixed number of SQL queries whatever the number of variants."""

from __future__ import annotations

import pytest

from tests.catalog.conftest import add_shirt_variants

pytestmark = pytest.mark.django_db


def count_queries(django_assert_max_num_queries, client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.smoke
@pytest.mark.parametrize("path", ["/p/{slug}/", "/api/v1/catalog/products/{slug}"])
def test_product_page_and_detail_api_query_count_does_not_grow_with_variants(client, shop, path, customer):
    client.force_login(customer)
    url = path.format(slug=shop.shirt.slug)
    client.get(url)  # the first view creates the history row; count the steady state
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_shirt_variants_more(shop, 40)
    client.get(url)  # new variants: the cached product is rebuilt once
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def add_shirt_variants_more(shop, count):
    from zizhu.catalog.models import Variant

    start = Variant.objects.filter(product=shop.shirt).count()
    variants = add_shirt_variants(shop.shirt, shop.colour, shop.size, count, start=start)
    return variants


def test_product_page_exact_query_count(client, shop, customer, settings, django_assert_num_queries):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"  # the same on SQLite and PostgreSQL
    client.force_login(customer)
    url = f"/p/{shop.shirt.slug}/"
    client.get(url)  # fills the cache
    # user, product row with its variants' prices and stock (one join), favourite? = 3 to make the
    # page; after the response (queue off, as embedded), in one savepoint: history update and the
    # behaviour insert = 4. With the production queue the 4 are one RPUSH (tests/catalog/test_recording.py).
    with django_assert_num_queries(7):
        client.get(url)


def test_product_page_query_count_for_guests_without_a_session(client, shop, django_assert_num_queries):
    from django.contrib.sessions.models import Session
    from django.test import Client

    url = f"/p/{shop.shirt.slug}/"
    Client().get(url)  # another visitor fills the caches
    # a first visit: the product row with its variants' prices and stock, nothing else in the page (no
    # session, no favourite query for a guest key made just now); after the response (queue off), in one
    # savepoint: the history insert (a new guest has no row to look up or trim) and the behaviour insert
    with django_assert_num_queries(1 + 4):
        client.get(url)
    # back with the guest-key cookie: the product row and the favourite = 2; after: update + insert
    with django_assert_num_queries(2 + 4):
        client.get(url)
    assert not Session.objects.exists()


def test_detail_api_exact_query_count(client, shop, django_assert_num_queries):
    url = f"/api/v1/catalog/products/{shop.phone.slug}"
    client.get(url)  # fills the cache
    # product row with its variants' prices and stock (one join); then the view event in a savepoint (3)
    with django_assert_num_queries(4):
        client.get(url)


def test_category_page_query_count_does_not_grow_with_products(client, shop, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zizhu.catalog.models import Product

    monkeypatch.setattr("zizhu.search.selectors.CACHE_SECONDS", 0)  # count the listing's queries
    client.get("/c/digital/")  # caches the category tree
    client.get("/c/digital/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/c/digital/").status_code == 200
    from zizhu.search.services import index_products

    extra = [
        Product.objects.create(slug=f"extra-{index}", category=shop.phones, name_zh=f"手机{index}", price=1)
        for index in range(30)
    ]
    index_products(product_ids=[p.pk for p in extra])
    with CaptureQueriesContext(connection) as many:
        assert client.get("/c/digital/").status_code == 200
    assert len(many) <= len(few)


@pytest.mark.smoke
def test_cached_product_page_shows_price_and_stock_changes_at_once(client, shop):
    """Even a change that bypasses the services (a bare UPDATE) shows on the next request."""
    from zizhu.catalog.models import Product, Variant

    url = f"/api/v1/catalog/products/{shop.shirt.slug}"
    variant = shop.shirt.variants.order_by("id").first()
    assert client.get(url).json()["variants"][0]["stock"] == variant.stock
    Variant.objects.filter(pk=variant.pk).update(stock=77, price="12.34")
    body = client.get(url).json()
    assert body["variants"][0]["stock"] == 77
    assert body["variants"][0]["price"]["amount"] == "12.34"
    assert body["price"]["amount"] == "12.34"
    Variant.objects.filter(pk=variant.pk).update(is_active=False)
    assert variant.sku not in [v["sku"] for v in client.get(url).json()["variants"]]
    Product.objects.filter(pk=shop.shirt.pk).update(is_active=False)
    assert client.get(url).status_code == 404


def test_announced_changes_retire_the_cached_product(client, shop):
    from zizhu.catalog import services

    url = f"/api/v1/catalog/products/{shop.shirt.slug}"
    assert client.get(url).json()["name"] == "纯棉衬衫"
    shop.shirt.name_zh = "亚麻衬衫"
    services.save_product(product=shop.shirt)
    assert client.get(url).json()["name"] == "亚麻衬衫"


def test_favourites_and_history_pages_do_not_grow_with_entries(client, customer, shop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zizhu.catalog.models import BrowsingHistory, Favourite, Product

    client.force_login(customer)
    Favourite.objects.create(user=customer, product=shop.shirt)
    BrowsingHistory.objects.create(user=customer, product=shop.shirt)
    client.get("/favourites/")  # the first signed-in request records the session (accounts)
    counts = []
    for _round in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/favourites/").status_code == 200
            assert client.get("/history/").status_code == 200
            assert client.get("/api/v1/me/favourites").status_code == 200
        counts.append(len(queries))
        for index in range(10):
            product = Product.objects.create(
                slug=f"more-{_round}-{index}", category=shop.clothing, name_zh="x", price=1
            )
            Favourite.objects.create(user=customer, product=product)
            BrowsingHistory.objects.create(user=customer, product=product)
    assert counts[0] == counts[1]


@pytest.mark.smoke
def test_whole_cached_page_keeps_each_visitors_language_elder_mode_token_and_favourite(client, shop):
    """Visitors without a session get the whole page from the cache: it still follows their language and
    elder mode, carries their own CSRF token and shows their own favourite state."""
    from django.test import Client

    url = f"/p/{shop.shirt.slug}/"
    first, second = Client(), Client()
    page_one, page_two = first.get(url).content.decode(), second.get(url).content.decode()
    token_one, token_two = first.cookies["csrftoken"].value, second.cookies["csrftoken"].value
    assert token_one != token_two and "zizhu-csrf-slot" not in page_one + page_two
    assert 'lang="zh-Hans"' in page_one and 'class="elder"' not in page_one
    assert 'aria-pressed="false"' in page_one and 'name="csrfmiddlewaretoken"' in page_one
    elder = Client()
    elder.cookies["zizhu_elder"] = "1"
    assert 'class="elder"' in elder.get(url).content.decode()
    english = Client()
    english.cookies["zizhu_lang"] = "en"
    body = english.get(url).content.decode()
    assert 'lang="en"' in body and "Cotton shirt" in body
    assert 'class="elder"' not in first.get(url).content.decode()  # the elder page did not replace it
    first.post(f"/p/{shop.shirt.slug}/favourite/")  # a session now: this visitor's page is built per request
    assert 'aria-pressed="true"' in first.get(url).content.decode()
    assert 'aria-pressed="false"' in second.get(url).content.decode()


@pytest.mark.smoke
def test_whole_cached_page_for_visitors_without_a_session_shows_price_changes_at_once(shop):
    """The page cached whole for cookieless visitors still follows a bare UPDATE of price or stock."""
    from django.test import Client

    from zizhu.catalog.models import Product, Variant

    url = f"/p/{shop.shirt.slug}/"
    variant = shop.shirt.variants.order_by("id").first()
    first, second = Client().get(url), Client().get(url)  # the second is served from the whole-page cache
    assert first.status_code == second.status_code == 200 and "12.34" not in second.content.decode()
    Variant.objects.filter(pk=variant.pk).update(price="12.34")
    assert "12.34" in Client().get(url).content.decode()
    Product.objects.filter(pk=shop.shirt.pk).update(is_active=False)
    assert Client().get(url).status_code == 404
