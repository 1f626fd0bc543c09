"""The recommendations API: lists in one query, hiding items, errors as JSON."""

from __future__ import annotations

import pytest

from zizhu.recommendations import services
from zizhu.recommendations.models import HiddenItem

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def signed_in(client, history):
    client.force_login(history)
    return client


def test_for_you_lists_the_right_item_with_its_reason(signed_in, shop) -> None:
    services.train_recommendations()
    response = signed_in.get("/api/v1/recommendations/for-you")
    assert response.status_code == 200
    body = response.json()
    assert body["items"][0]["slug"] == "p-c"
    assert body["items"][0]["reason"] == "because_bought"
    assert body["items"][0]["explanation"]
    assert body["items"][0]["price"] == {"amount": "9.90", "currency": "CNY"}
    assert body["model_version"] is not None


def test_before_any_training_for_you_falls_back_to_the_cold_start(signed_in) -> None:
    """The customer bought phones: popular phones first ("popular in 手机"), then the shop's best sellers."""
    body = signed_in.get("/api/v1/recommendations/for-you?limit=5", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert len(body["items"]) == 5
    reasons = [item["reason"] for item in body["items"]]
    assert reasons == ["popular_in_category"] * 3 + ["popular"] * 2
    assert body["items"][0]["explanation"] == "手机热门"
    assert body["model_version"] is None


def test_guests_must_sign_in_for_personal_lists(client) -> None:
    assert client.get("/api/v1/recommendations/for-you").status_code == 401
    response = client.post("/api/v1/recommendations/hidden", {"product": "p-a"}, content_type="application/json")
    assert response.status_code == 401


def test_hide_and_unhide(signed_in, shop, history) -> None:
    services.train_recommendations()
    response = signed_in.post("/api/v1/recommendations/hidden", {"product": "p-c"}, content_type="application/json")
    assert response.status_code == 204
    slugs = [i["slug"] for i in signed_in.get("/api/v1/recommendations/for-you?limit=24").json()["items"]]
    assert "p-c" not in slugs
    assert HiddenItem.objects.filter(customer=history).count() == 1
    assert signed_in.delete("/api/v1/recommendations/hidden?product=p-c").status_code == 204
    assert not HiddenItem.objects.exists()


def test_bad_input_is_a_json_error(signed_in, client) -> None:
    missing = signed_in.post("/api/v1/recommendations/hidden", {"product": "nope"}, content_type="application/json")
    assert missing.status_code == 404 and missing.json()["message"]
    bad = signed_in.post("/api/v1/recommendations/hidden", {"product": "a b"}, content_type="application/json")
    assert bad.status_code == 422
    assert client.get("/api/v1/recommendations/products/nope/similar").status_code == 404
    assert client.get("/api/v1/recommendations/popular?limit=0").status_code == 422


def test_product_lists_are_one_query(client, shop, history, django_assert_num_queries) -> None:
    services.train_recommendations()
    response = client.get("/api/v1/recommendations/products/p-a/similar")
    assert {i["slug"] for i in response.json()["items"][:2]} == {"p-b", "p-c"}
    together = client.get("/api/v1/recommendations/products/p-d/bought-together").json()
    assert [i["slug"] for i in together["items"]] == ["p-e"]
    from zizhu.recommendations import selectors

    with django_assert_num_queries(1):
        selectors.bought_together(product=shop["D"])
