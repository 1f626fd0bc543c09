"""GET /api/v1/catalog/products and /api/v1/search/suggest: shapes, filters, clamping, 422s, never 500."""

from __future__ import annotations

import pytest

from zizhu.catalog.models import BehaviourEvent

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]
URL = "/api/v1/catalog/products"


def test_list_shape(client, shop):
    response = client.get(URL, {"q": "苹果手机", "page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert {i["slug"] for i in body["items"]} == {"iphone-15", "iphone-15-pro"}
    item = next(i for i in body["items"] if i["slug"] == "iphone-15")
    assert item["price"] == {"amount": "5999.00", "currency": "CNY"}
    assert item["in_stock"] is True and item["id"] == shop.products["iphone-15"].pk
    assert item["url"] == f"/p/{item['slug']}/"
    assert set(body["facets"]) == {"categories", "brands", "attributes", "price", "in_stock"}


def test_filters_and_facets(client, shop):
    body = client.get(URL, {"category": "phones", "brand": ["apple", "huawei"], "attr": "colour:black",
                            "min_price": "1000", "in_stock": "true", "sort": "price_desc"}).json()  # fmt: skip
    assert [i["slug"] for i in body["items"]] == ["iphone-15-pro", "mate-60", "iphone-15"]
    brands = {b["slug"]: (b["count"], b["selected"]) for b in body["facets"]["brands"]}
    assert brands == {"apple": (2, True), "huawei": (1, True)}
    comma = client.get(URL, {"category": "phones", "brand": "apple,huawei"}).json()
    assert comma["total"] == 3


def test_paging_is_clamped(client, shop):
    body = client.get(URL, {"page": 99, "page_size": 500}).json()
    assert body["page"] == 1 and body["page_size"] == 60 and body["total"] == 9
    body = client.get(URL, {"page": 99, "page_size": 4}).json()
    assert body["page"] == 3 and len(body["items"]) == 1


@pytest.mark.parametrize(
    "params",
    [{"min_price": "abc"}, {"max_price": "-1"}, {"min_price": "NaN"}, {"sort": "random"}, {"page": "x"},
     {"page_size": "1e9"}, {"in_stock": "maybe"}],
)  # fmt: skip
def test_malformed_parameters_get_a_422_with_the_field(client, shop, params):
    response = client.get(URL, params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and set(body["fields"]) == set(params)


@pytest.mark.parametrize(
    "q", ['" * : - ( ) OR NEAR', "😀", "\u200f\u202e", "a\x00b", "x" * 10_000, "' OR 1=1 --", "手机 AND NOT"]
)
def test_nasty_queries_answer_normally(client, shop, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert response.json()["total"] >= 0


@pytest.mark.parametrize(
    "params",
    [{"brand": "\x00"}, {"category": "\x00"}, {"attr": "colour:\x00"}, {"attr": "\x00:\x00"}, {"brand": "'; --"},
     {"category": "a" * 5000}, {"page": str(10**30)}, {"page_size": "-1"}, {"min_price": "1e999999"}],
)  # fmt: skip
def test_hostile_parameters_never_fail(client, shop, params):
    assert client.get(URL, params).status_code in (200, 422)
    assert client.get("/search/", params).status_code == 200


def test_unknown_filter_values_give_an_empty_list(client, shop):
    for params in ({"category": "nope"}, {"brand": "nobody"}, {"attr": "size:xxl"}, {"attr": "garbage"}):
        body = client.get(URL, params).json()
        assert body["total"] == (9 if params == {"attr": "garbage"} else 0)


def test_no_results_offer_correction_and_popular(client, shop):
    body = client.get(URL, {"q": "首机"}).json()
    assert body["total"] == 0 and body["corrected_query"] == "手机" and body["popular"]


def test_search_is_recorded_as_behaviour(client, shop):
    client.get(URL, {"q": "手机"})
    client.get(URL, {"category": "phones"})  # browsing without a query is not a search
    event = BehaviourEvent.objects.get(event_type="search")
    assert event.query == "手机" and event.context["results"] == 5


def test_suggest(client, shop):
    response = client.get("/api/v1/search/suggest", {"q": "hua"})
    assert response.status_code == 200
    body = response.json()
    assert body[0] == {"kind": "brand", "slug": "huawei", "label": "华为", "url": "/search/?brand=huawei"}
    assert any(s["url"] == "/p/mate-60/" for s in body)
    assert client.get("/api/v1/search/suggest", {"q": "sj"}).json()[0]["url"] == "/c/phones/"
    for q in ("", "\x00", "😀", "x" * 10_000, '"*:-()'):
        assert client.get("/api/v1/search/suggest", {"q": q}).status_code == 200


def test_the_detail_route_is_not_shadowed(client, shop):
    response = client.get(f"{URL}/iphone-15")
    assert response.status_code == 200
    assert response.json()["slug"] == "iphone-15"
