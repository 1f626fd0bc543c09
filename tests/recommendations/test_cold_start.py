"""Cold start (popular in the categories a customer looked at, then overall) and clearing history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from zizhu.catalog import services as catalog
from zizhu.catalog.models import BehaviourEvent, Product
from zizhu.catalog.owners import Owner
from zizhu.core import events
from zizhu.recommendations import selectors, services
from zizhu.recommendations.models import ForYou, HiddenItem

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def viewed(user, *products, days_ago: int = 1) -> None:
    for product in products:
        BehaviourEvent.objects.create(
            user=user, product=product, event_type="view", occurred_at=timezone.now() - timedelta(days=days_ago)
        )


@pytest.fixture
def best_sellers(shop):
    """Sales: D (tea) sells most, then C, A, B (phones), E."""
    for code, sales in {"D": 90, "C": 50, "A": 40, "B": 30, "E": 20}.items():
        Product.objects.filter(pk=shop[code].pk).update(sales_count=sales)
    return shop


def test_before_training_a_newcomer_gets_what_is_popular_where_they_looked(best_sellers, make_user) -> None:
    shop = best_sellers
    newcomer = make_user("new@example.com")
    assert [p.product for p in selectors.cold_start(customer=newcomer, limit=2)] == [shop["D"], shop["C"]]
    viewed(newcomer, shop["B"])
    picks = selectors.cold_start(customer=newcomer, limit=5)
    assert [p.product for p in picks[:3]] == [shop["C"], shop["A"], shop["B"]]  # phones first
    assert [p.reason for p in picks] == ["popular_in_category"] * 3 + ["popular"] * 2  # then overall
    with translation.override("zh-hans"):
        assert selectors.cold_start(customer=newcomer, limit=1)[0].explanation == "手机热门"
    services.hide_item(customer=newcomer, product_id=shop["C"].pk)
    assert shop["C"] not in [p.product for p in selectors.cold_start(customer=newcomer, limit=5)]


def test_pages_and_api_use_the_cold_start_until_trained(client, best_sellers, make_user) -> None:
    shop = best_sellers
    newcomer = make_user("new@example.com")
    viewed(newcomer, shop["A"])
    client.force_login(newcomer)
    html = client.get(reverse("recommendations:for_you"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "For you" in html and "Popular in Phones" in html
    body = client.get("/api/v1/recommendations/for-you?limit=3", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["model_version"] is None
    assert body["items"][0]["slug"] == "p-c" and body["items"][0]["explanation"] == "Popular in Phones"


def test_training_gives_a_thin_history_popular_items_of_its_categories(best_sellers, history, make_user) -> None:
    shop = best_sellers
    for n in range(3):
        viewed(make_user(f"tea{n}@example.com"), shop["D"], shop["E"])
    newcomer = make_user("new@example.com")
    viewed(newcomer, shop["D"])  # one look at tea
    services.train_recommendations()
    items = selectors.for_you(customer=newcomer)
    assert items[0].product == shop["E"] and items[0].reason == "because_viewed"  # learned from D
    rest = [row for row in items if row.reason != "because_viewed"]
    assert rest and rest[0].reason in ("popular_in_category", "popular")
    assert {row.product for row in items} <= {shop[c] for c in "ABCE"}
    with translation.override("en"):
        assert [row.explanation for row in rest if row.reason == "popular"] == ["Popular in our shop"] * len(
            [row for row in rest if row.reason == "popular"]
        )


def test_a_viewer_of_phones_gets_popular_phones_explained(best_sellers, history, make_user) -> None:
    shop = best_sellers
    newcomer = make_user("new@example.com")
    viewed(newcomer, shop["A"])
    Product.objects.filter(pk=shop["A"].pk).update(is_active=False)  # nothing learned from A can be shown
    services.train_recommendations()
    items = selectors.for_you(customer=newcomer)
    phones = [row for row in items if row.product.category_id == shop["A"].category_id]
    assert phones and items[0].product.category_id == shop["A"].category_id
    with translation.override("zh-hans"):
        assert all(row.explanation in ("手机热门",) or row.explanation.startswith("因为您看过") for row in phones)


def dispatch(capture) -> None:
    for _ in range(2):
        with capture(execute=True):
            events.dispatch_pending()


def test_clearing_history_drops_the_list_and_forgets_the_views(
    best_sellers, history, make_user, django_capture_on_commit_callbacks
) -> None:
    shop = best_sellers
    browser = make_user("browser@example.com")
    viewed(browser, shop["A"], shop["B"])
    services.train_recommendations()
    assert selectors.for_you(customer=browser)[0].product == shop["C"]  # because they looked at A and B
    services.hide_item(customer=browser, product_id=shop["D"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        catalog.clear_history(owner=Owner(user=browser))
    dispatch(django_capture_on_commit_callbacks)
    assert not ForYou.objects.filter(customer=browser).exists()  # the stored list is gone at once
    picks = selectors.cold_start(customer=browser, limit=5)
    assert picks[0].reason == "popular" and shop["D"] not in [p.product for p in picks]  # no phones any more
    services.train_recommendations()
    rows = selectors.for_you(customer=browser, limit=50)
    assert all(row.reason not in ("because_viewed", "because_bought") for row in rows)  # the views are forgotten
    assert shop["D"] not in [row.product for row in rows]  # hidden items never come back
    assert HiddenItem.objects.filter(customer=browser, product=shop["D"]).exists()
    viewed(browser, shop["E"], days_ago=0)  # new views after the clearing count again
    services.train_recommendations()
    assert selectors.looked_at_categories(customer=browser) == [shop["E"].category_id]


def test_a_guest_clearing_history_changes_nothing_for_customers(
    best_sellers, history, django_capture_on_commit_callbacks
):
    services.train_recommendations()
    before = ForYou.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        catalog.clear_history(owner=Owner(session_key="guest-key"))
    dispatch(django_capture_on_commit_callbacks)
    assert ForYou.objects.count() == before
