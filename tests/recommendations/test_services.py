"""Training on the shop's behaviour events, the stored lists, hidden items and the nightly job."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from tests.recommendations.shop_fixtures import bought
from zizhu.catalog.models import BehaviourEvent, Product
from zizhu.core.errors import NotFound
from zizhu.recommendations import selectors, services
from zizhu.recommendations.models import ForYou, HiddenItem, ModelVersion, SimilarItem

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_customer_who_bought_a_and_b_gets_c_with_the_reason(shop, history) -> None:
    version = services.train_recommendations()
    assert isinstance(version, ModelVersion) and version.stats["customers"] == 8
    items = selectors.for_you(customer=history)
    assert items[0].product == shop["C"]
    assert items[0].reason == "because_bought"
    assert items[0].reason_product in (shop["A"], shop["B"])
    with translation.override("en"):
        assert items[0].explanation.startswith("Because you bought Item ")
    with translation.override("zh-hans"):
        assert items[0].explanation.startswith("因为您买过")


def test_repeat_purchases_are_offered_as_buy_again(shop, history) -> None:
    bought(history, shop, "A", order="t2", days_ago=1)  # A bought twice: a repeat purchase
    services.train_recommendations()
    reasons = {row.product.slug: row.reason for row in selectors.for_you(customer=history)}
    assert reasons.get("p-a") == "buy_again"
    assert "p-b" not in reasons  # bought once: not offered again
    assert reasons.get("p-c") == "because_bought"


def test_a_hidden_item_never_comes_back(shop, history) -> None:
    services.train_recommendations()
    services.hide_item(customer=history, product_id=shop["C"].pk)
    assert shop["C"] not in [row.product for row in selectors.for_you(customer=history, limit=50)]
    services.train_recommendations()  # and not after the next training either
    assert not ForYou.objects.filter(customer=history, product=shop["C"]).exists()
    assert shop["C"] not in [row.product for row in selectors.similar_items(product=shop["A"], customer=history)]
    assert shop["C"] not in [row.product for row in selectors.bought_together(product=shop["A"], customer=history)]
    assert shop["C"] not in selectors.popular_products(customer=history, limit=50)
    assert services.unhide_item(customer=history, product_id=shop["C"].pk) is True
    assert not HiddenItem.objects.exists()


def test_hiding_an_unknown_product_is_not_found(customer) -> None:
    with pytest.raises(NotFound):
        services.hide_item(customer=customer, product_id=999_999)


def test_similar_and_bought_together_lists(shop, history) -> None:
    services.train_recommendations()
    similar = [row.product for row in selectors.similar_items(product=shop["A"])]
    assert similar[:2] == [shop["B"], shop["C"]] or similar[:2] == [shop["C"], shop["B"]]
    assert shop["A"] not in similar
    together = selectors.bought_together(product=shop["D"])
    assert [row.product for row in together] == [shop["E"]]
    assert together[0].together == 1 or together == []


def test_inactive_products_are_not_recommended(shop, history) -> None:
    Product.objects.filter(pk=shop["C"].pk).update(is_active=False)
    services.train_recommendations()
    assert shop["C"] not in [row.product for row in selectors.for_you(customer=history, limit=50)]


def test_views_count_for_new_customers(shop, history, make_user) -> None:
    newcomer = make_user("new@example.com")
    for code in ("A", "B"):
        BehaviourEvent.objects.create(user=newcomer, product=shop[code], event_type="view")
    services.train_recommendations()
    items = selectors.for_you(customer=newcomer)
    assert items[0].product == shop["C"]
    assert items[0].reason == "because_viewed"


def test_lists_are_read_in_one_query(shop, history, django_assert_num_queries) -> None:
    services.train_recommendations()
    with django_assert_num_queries(1):
        items = selectors.for_you(customer=history)
        [(row.product.name, row.explanation) for row in items]
    with django_assert_num_queries(1):
        [row.product.name for row in selectors.similar_items(product=shop["A"], customer=history)]


def test_training_replaces_the_previous_version(shop, history) -> None:
    first = services.train_recommendations()
    second = services.train_recommendations()
    assert set(ForYou.objects.values_list("version_id", flat=True)) == {second.pk}
    assert set(SimilarItem.objects.values_list("version_id", flat=True)) == {second.pk}
    assert first.pk != second.pk


def test_an_empty_shop_trains_and_pages_still_work(customer) -> None:
    version = services.train_recommendations()
    assert version.stats["events"] == 0
    assert selectors.for_you(customer=customer) == []


def test_nightly_job_trains_once_a_night(shop, history, settings) -> None:
    assert services.train_if_due() is not None  # nothing trained yet: train now
    assert services.train_if_due() is None  # fresh
    ModelVersion.objects.update(created_at=timezone.now() - timedelta(days=1))
    night = services.train_if_due(night_hours=(0, 24))
    assert night is not None


def test_train_command_reports_the_version(shop, history) -> None:
    out = StringIO()
    call_command("train_recommendations", stdout=out, stderr=StringIO())
    assert "Model version" in out.getvalue()
    assert ForYou.objects.filter(customer=history).exists()


def test_the_compiled_list_reads_match_the_orm(shop, history) -> None:
    from decimal import Decimal

    from django.db import connection

    from zizhu.recommendations.models import BoughtTogetherItem
    from zizhu.recommendations.selectors import _active, _not_hidden, _statement

    def same(fast, orm) -> None:
        fields = ("pk", "product_id", "rank", "reason", "explanation", "version_id")
        assert [[getattr(r, f) for f in fields] for r in fast] == [[getattr(r, f) for f in fields] for r in orm]

    services.train_recommendations()
    services.hide_item(customer=history, product_id=shop["D"].pk)
    ForYou.objects.filter(customer=history, rank=2).update(product=shop["D"])  # as if written by a late training
    fast = selectors.for_you(customer=history, limit=5)
    same(fast, _active(_not_hidden(ForYou.objects.filter(customer=history), history), 5))
    assert shop["D"] not in [row.product for row in fast]
    assert fast[0].product.price == Decimal("9.90") and fast[0].product.name_zh.startswith("商品")
    for customer in (None, history):
        same(
            selectors.similar_items(product=shop["A"], customer=customer),
            _active(_not_hidden(SimilarItem.objects.filter(source=shop["A"]), customer), 8),
        )
        together = selectors.bought_together(product=shop["D"], customer=customer)
        same(together, _active(_not_hidden(BoughtTogetherItem.objects.filter(source=shop["D"]), customer), 6))
    assert selectors.bought_together(product=shop["D"])[0].together >= 1
    if connection.vendor == "postgresql":  # the compiled path serves PostgreSQL (no value converters)
        assert _statement(ForYou, "customer_id", True, 5, "default") is not None
