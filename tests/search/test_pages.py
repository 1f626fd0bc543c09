"""Search and category pages: results with facets, elder-mode help, no results, suggestions, no inline code."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def assert_csp_clean(html: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert 'style="' not in html and "onclick=" not in html


def test_header_search_shows_products_with_facets(client, shop):
    response = client.get("/search/", {"q": "手机"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "华为 Mate 60 Pro 手机" in html and 'href="/p/mate-60/"' in html
    assert 'name="brand" value="apple"' in html and 'name="attr" value="colour:black"' in html
    assert 'role="status"' in html and "5" in html
    assert 'value="手机"' in html  # the header box keeps the query
    assert_csp_clean(html)


def test_elder_mode_is_offered_when_searching_for_it(client, shop):
    for q in ("长辈版", "关怀版", "长辈模式"):
        html = client.get("/search/", {"q": q}).content.decode()
        assert 'id="elder-offer-title"' in html
        assert "/preferences/elder-mode/" in html


def test_no_results_page_offers_a_correction_and_popular_items(client, shop):
    html = client.get("/search/", {"q": "首机"}).content.decode()
    assert "?q=%E6%89%8B%E6%9C%BA" in html  # did you mean 手机
    assert 'id="popular-title"' in html and "纯棉短袖T恤" in html


def test_filters_work_as_a_plain_get_form(client, shop):
    html = client.get(
        "/search/", {"q": "手机", "brand": "apple", "in_stock": "1", "sort": "price_desc"}
    ).content.decode()
    assert html.index("iPhone 15 Pro") < html.index("iPhone 15 智能手机")
    assert "华为 Mate 60" not in html.split('class="listing-results"')[1]
    assert 'value="apple" checked' in html and 'id="in-stock" name="in_stock" value="1" checked' in html


def test_a_bad_price_is_explained_next_to_its_field(client, shop):
    response = client.get("/search/", {"q": "手机", "min_price": "cheap"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and 'id="min-price-error"' in html


@pytest.mark.parametrize("q", ['" * : - ( ) OR NEAR', "😀", "\u200f", "a\x00b", "x" * 10_000])
def test_nasty_queries_render(client, shop, q):
    assert client.get("/search/", {"q": q, "page": "-3", "page_size": "abc"}).status_code == 200


def test_category_page_with_breadcrumbs_subcategories_and_pages(client, shop):
    response = client.get("/c/digital/", {"page_size": 3, "page": 2})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page">数码' in html
    assert 'href="/c/phones/?page_size=3"' in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert_csp_clean(html)
    assert client.get("/c/no-such-category/").status_code == 404


def test_category_page_is_one_page_under_both_names(client, shop):
    from django.urls import reverse

    assert reverse("catalog:category", args=["phones"]) == reverse("search:category", args=["phones"]) == "/c/phones/"
    html = client.get("/c/phones/").content.decode()
    assert 'name="brand"' in html  # the facets
    old = client.get("/browse/phones/", {"sort": "price_asc"})
    assert old.status_code == 301 and old["Location"] == "/c/phones/?sort=price_asc"


def test_suggestions_partial_is_a_listbox_of_options(client, shop):
    html = client.get("/search/suggest/", {"q": "hua"}, HTTP_HX_REQUEST="true").content.decode()
    assert html.count('role="option"') >= 2 and 'data-href="/search/?brand=huawei"' in html
    assert client.get("/search/suggest/", {"q": ""}).content.decode().strip() == ""


def test_header_box_is_an_accessible_combobox(client, shop):
    html = client.get("/").content.decode()
    assert 'role="combobox"' in html and 'aria-controls="search-suggestions"' in html
    assert 'aria-expanded="false"' in html and 'hx-get="/search/suggest/"' in html
    assert 'id="search-suggestions"' in html and 'role="listbox"' in html


def test_english_page(client, shop):
    client.cookies["zizhu_lang"] = "en"
    html = client.get("/search/", {"q": "phone"}).content.decode()
    assert "Huawei Mate 60 Pro phone" in html and "Sort by" in html
