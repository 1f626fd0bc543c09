"""Relevance: Chinese, pinyin, initials and typo'd brand queries put the expected product in the top 3."""

from __future__ import annotations

import pytest

from zizhu.search.selectors import ProductFilters, list_products, suggest

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def top(q: str, n: int = 3) -> list[str]:
    return [item["slug"] for item in list_products(filters=ProductFilters(q=q)).items[:n]]


@pytest.mark.parametrize("q", ["手机", "shouji", "sj", "Shou Ji".replace(" ", "")])
def test_phone_queries_find_phones_first(shop, q):
    found = top(q)
    assert len(found) == 3
    phones = {"iphone-15", "iphone-15-pro", "mate-60", "redmi-13"}
    assert set(found) <= phones | {"phone-case"}
    assert len(set(found) & phones) >= 2


def test_apple_phone_finds_apple_phones_not_juice_or_laptops(shop):
    listing = list_products(filters=ProductFilters(q="苹果手机"))
    assert {i["slug"] for i in listing.items[:2]} == {"iphone-15", "iphone-15-pro"}
    assert "apple-juice" not in [i["slug"] for i in listing.items]


def test_pinyin_of_a_brand(shop):
    assert set(top("huawei")) == {"mate-60", "matebook-14"}
    assert "iphone-15" in top("pingguo shouji")


@pytest.mark.parametrize(("typo", "expected"), [("huawie", "mate-60"), ("aple", "iphone-15"), ("xiaomo", "redmi-13"),
                                                ("uniqol", "cotton-tee")])  # fmt: skip
def test_one_letter_typo_in_a_brand_still_finds_it(shop, typo, expected):
    listing = list_products(filters=ProductFilters(q=typo))
    assert expected in [i["slug"] for i in listing.items[:3]]
    assert listing.corrected_query  # the page says what it searched for


def test_english_words_any_case(shop):
    assert top("MACBOOK")[0] == "macbook-air"
    assert "cotton-tee" in top("T-Shirt")


def test_name_outranks_description(shop):
    # "笔记本电脑" is in the laptops' names and category; nothing else mentions it
    assert set(top("笔记本电脑", 2)) == {"macbook-air", "matebook-14"}


def test_no_results_offer_a_correction_and_popular_items(shop):
    listing = list_products(filters=ProductFilters(q="首机"))  # a homophone typo of 手机
    assert listing.total == 0
    assert listing.corrected_query == "手机"
    assert listing.popular and all(p["in_stock"] for p in listing.popular)


def test_some_words_when_not_all_match(shop):
    listing = list_products(filters=ProductFilters(q="华为 冰箱"))
    assert listing.matched_any_word and listing.total == 2


def test_suggestions_by_prefix_pinyin_and_initials(shop):
    assert {"kind": "brand", "slug": "huawei", "label": "华为"} in suggest("hua")
    assert any(s["slug"] == "phones" and s["kind"] == "category" for s in suggest("shou"))
    assert any(s["slug"] == "phones" for s in suggest("sj"))
    assert any(s["slug"] == "iphone-15" for s in suggest("苹果 i"))
    assert suggest("") == [] and suggest("😀") == [] and suggest("x" * 10000) == []
