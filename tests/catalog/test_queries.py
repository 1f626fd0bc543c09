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
    client.get(url)
    # user, product, images, variants, variant values, option groups, rules, categories, favourite?
    # = 9 to make the page; after the response: history update and the behaviour insert, each in a
    # savepoint (3 + 3)
    with django_assert_num_queries(15):
        client.get(url)


def test_detail_api_exact_query_count(client, shop, django_assert_num_queries):
    url = f"/api/v1/catalog/products/{shop.phone.slug}"
    # product, images, variants, option groups, options, rules, categories; then the view event
    with django_assert_num_queries(10):
        client.get(url)


def test_category_page_query_count_does_not_grow_with_products(client, shop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zizhu.catalog.models import Product

    with CaptureQueriesContext(connection) as few:
        assert client.get("/c/digital/").status_code == 200
    for index in range(30):
        Product.objects.create(slug=f"extra-{index}", category=shop.phones, name_zh=f"手机{index}", price=1)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/c/digital/").status_code == 200
    assert len(many) == len(few)
