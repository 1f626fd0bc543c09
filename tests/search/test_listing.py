"""The product listing: filters, disjunctive facet counts, sorting, paging and clamping, query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zizhu.search.selectors import MAX_PAGE_SIZE, ProductFilters, list_products

pytestmark = pytest.mark.django_db


def slugs(listing) -> list[str]:
    return [item["slug"] for item in listing.items]


def counts(facet: list[dict], key: str = "slug") -> dict[str, int]:
    return {row[key]: row["count"] for row in facet}


@pytest.mark.smoke
def test_category_includes_descendants_and_facets_show_children(shop):
    listing = list_products(filters=ProductFilters(category="digital"))
    assert listing.total == 7
    assert counts(listing.facets["categories"]) == {"phones": 4, "laptops": 2, "accessories": 1}
    assert [c["slug"] for c in listing.breadcrumbs] == ["digital"]
    top = list_products(filters=ProductFilters())
    assert counts(top.facets["categories"]) == {"digital": 7, "clothing": 1, "food": 1}


@pytest.mark.smoke
def test_brand_facet_is_counted_without_the_brand_filter(shop):
    listing = list_products(filters=ProductFilters(category="phones", brands=("apple",)))
    assert sorted(slugs(listing)) == ["iphone-15", "iphone-15-pro"]
    assert counts(listing.facets["brands"]) == {"apple": 2, "huawei": 1, "xiaomi": 1}
    assert {b["slug"] for b in listing.facets["brands"] if b["selected"]} == {"apple"}
    both = list_products(filters=ProductFilters(category="phones", brands=("apple", "huawei")))
    assert both.total == 3


@pytest.mark.smoke
def test_attribute_facets_are_disjunctive_and_filters_combine(shop):
    filters = ProductFilters(category="phones", attributes=(("colour", ("black",)),))
    listing = list_products(filters=filters)
    assert sorted(slugs(listing)) == ["iphone-15", "iphone-15-pro", "mate-60"]
    colour = next(a for a in listing.facets["attributes"] if a["code"] == "colour")
    # colour counted without the colour filter: every phone colour with its count
    assert counts(colour["values"], "value") == {"black": 3, "white": 1, "green": 1, "blue": 1}
    memory = next(a for a in listing.facets["attributes"] if a["code"] == "memory")
    # memory counted with the colour filter applied
    assert counts(memory["values"], "value") == {"128gb": 1, "256gb": 3, "512gb": 1}
    narrower = list_products(
        filters=ProductFilters(category="phones", attributes=(("colour", ("black",)), ("memory", ("512gb",))))
    )
    assert slugs(narrower) == ["mate-60"]


@pytest.mark.smoke
def test_price_range_and_stock_filters_with_their_counts(shop):
    listing = list_products(
        filters=ProductFilters(category="phones", min_price=Decimal("1000"), max_price=Decimal("7000"))
    )
    assert sorted(slugs(listing)) == ["iphone-15", "mate-60"]
    assert listing.facets["in_stock"]["count"] == 2
    assert listing.facets["price"] == {"min": "999.00", "max": "7999.00"}  # the range without the price filter
    stocked = list_products(filters=ProductFilters(category="phones", in_stock=True))
    assert sorted(slugs(stocked)) == ["iphone-15", "iphone-15-pro", "mate-60"]  # redmi-13 has no stock
    assert stocked.facets["in_stock"]["count"] == 3


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("sort", "expected"),
    [("price_asc", ["redmi-13", "iphone-15", "mate-60", "iphone-15-pro"]),
     ("price_desc", ["iphone-15-pro", "mate-60", "iphone-15", "redmi-13"]),
     ("sales", ["redmi-13", "iphone-15", "mate-60", "iphone-15-pro"]),
     ("newest", ["iphone-15", "iphone-15-pro", "mate-60", "redmi-13"])],
)  # fmt: skip
def test_sorting(shop, sort, expected):
    assert slugs(list_products(filters=ProductFilters(category="phones"), sort=sort)) == expected


@pytest.mark.smoke
def test_paging_and_clamping(shop):
    first = list_products(filters=ProductFilters(), sort="sales", page=1, page_size=4)
    second = list_products(filters=ProductFilters(), sort="sales", page=2, page_size=4)
    assert first.total == 9 and first.pages == 3 and len(first.items) == 4
    assert not set(slugs(first)) & set(slugs(second))
    past_end = list_products(filters=ProductFilters(), sort="sales", page=999, page_size=4)
    assert past_end.page == 3 and len(past_end.items) == 1
    huge = list_products(filters=ProductFilters(), page=-5, page_size=10_000)
    assert huge.page == 1 and huge.page_size == MAX_PAGE_SIZE and len(huge.items) == 9
    tiny = list_products(filters=ProductFilters(), page_size=0)
    assert tiny.page_size == 1


@pytest.mark.smoke
def test_unknown_filter_values_give_an_empty_result(shop):
    assert list_products(filters=ProductFilters(category="no-such-thing")).total == 0
    assert list_products(filters=ProductFilters(brands=("nobody",))).total == 0
    assert list_products(filters=ProductFilters(attributes=(("nope", ("x",)),))).total == 0
    assert list_products(filters=ProductFilters(q="手机"), sort="bogus").sort == "relevance"


NASTY = ['"', "*", ":", "-", "(", ")", "OR", "NEAR", 'a" OR "b', "NEAR(手机 苹果)", "手机*", "name:手机", "-手机",
         "😀📱", "\u200f手机\u202e", "手\x00机", "x" * 10_000, "' OR 1=1 --",
         "\\", "&|!<->", "AND AND", "^$"]  # fmt: skip


@pytest.mark.smoke
@pytest.mark.parametrize("q", NASTY)
def test_nasty_queries_never_fail(shop, q):
    listing = list_products(filters=ProductFilters(q=q))
    assert listing.total >= 0 and listing.page == 1


@pytest.mark.smoke
def test_rtl_marks_and_nul_do_not_hide_a_match(shop):
    assert "iphone-15" in slugs(list_products(filters=ProductFilters(q="\u200f苹果\x00手机\u202e")))


def _warm(filters):
    list_products(filters=filters, page_size=1)  # loads the segmenter's dictionary


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("filters", "queries", "pg_queries"),
    [
        # SQLite: categories, count+stats, page, images, brands, category facet, attribute facets,
        # attribute value names, attributes. PostgreSQL: categories, then one statement for the
        # statistics, the page with its images and every facet.
        (ProductFilters(), 9, 2),
        (ProductFilters(q="手机", category="digital", in_stock=True), 9, 2),
        # + the typo vocabulary (a Latin word of 4+ letters), + one attribute facet with a selection (SQLite)
        (ProductFilters(q="huawie", attributes=(("colour", ("black",)),), min_price=Decimal(1)), 11, 3),
    ],
)
def test_fixed_number_of_queries_whatever_the_page_size(shop, django_assert_num_queries, filters, queries, pg_queries):
    from django.db import connection

    if connection.vendor == "postgresql":
        queries = pg_queries
    _warm(filters)
    for page_size in (2, 5, 60):
        with django_assert_num_queries(queries):
            listing = list_products(filters=filters, page_size=page_size)
        assert listing.items


@pytest.mark.smoke
def test_cached_listing_changes_when_the_index_does(shop, django_assert_num_queries):
    from zizhu.search import services

    filters = ProductFilters(category="phones")
    before = list_products(filters=filters, sort="price_asc")
    with django_assert_num_queries(0):
        assert list_products(filters=filters, sort="price_asc").items == before.items
    product = shop.products["redmi-13"]
    product.variants.update(price=Decimal("19999.00"))
    services.index_products(product_ids=[product.pk])
    after = list_products(filters=filters, sort="price_asc")
    assert slugs(after)[-1] == "redmi-13"
    assert after.items[-1]["price"] == {"amount": "19999.00", "currency": "CNY"}


@pytest.mark.postgres
def test_pages_past_the_reranked_candidates_follow_the_first_pass(shop, monkeypatch):
    """PostgreSQL ranks only the first ``RERANK`` candidates with ts_rank; later positions keep the
    cheap first-pass order. Pages stay disjoint and together hold every match."""
    from zizhu.search import pg_listing

    exact = slugs(list_products(filters=ProductFilters(q="手机"), page_size=60))
    assert 4 <= len(exact) <= 6  # two pages of three
    monkeypatch.setattr(pg_listing, "RERANK", 2)
    pages = [slugs(list_products(filters=ProductFilters(q="手机"), page=n, page_size=3)) for n in (1, 2)]
    seen = [slug for page in pages for slug in page]
    assert len(seen) == len(set(seen)) and set(seen) == set(exact)
    # the two reranked candidates keep the exact order between themselves
    first, second = seen[:2]
    assert exact.index(first) < exact.index(second)
    straddling = slugs(list_products(filters=ProductFilters(q="手机"), page=1, page_size=4))
    assert straddling == seen[:4]
