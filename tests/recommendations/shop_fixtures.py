"""A tiny shop with a known purchase history, shared by the service and API tests."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from zizhu.catalog.models import BehaviourEvent, Category, Product


@pytest.fixture
def shop(db):
    phones = Category.objects.create(slug="phones", name_zh="手机", name_en="Phones")
    tea = Category.objects.create(slug="tea", name_zh="茶叶", name_en="Tea")
    products = {}
    for code, category in [("A", phones), ("B", phones), ("C", phones), ("D", tea), ("E", tea)]:
        products[code] = Product.objects.create(
            slug=f"p-{code.lower()}",
            category=category,
            name_zh=f"商品{code}",
            name_en=f"Item {code}",
            price=Decimal("9.90"),
        )
    return products


def bought(user, products, *codes: str, order: str, days_ago: int = 3) -> None:
    when = timezone.now() - timedelta(days=days_ago)
    for code in codes:
        BehaviourEvent.objects.create(
            user=user, product=products[code], event_type="purchase", occurred_at=when, context={"order": order}
        )


@pytest.fixture
def history(shop, make_user):
    """Five customers bought A, B and C; `target` bought A and B; two others bought D (and E)."""
    for n in range(5):
        bought(make_user(), shop, "A", "B", "C", order=f"o{n}")
    target = make_user("target@example.com")
    bought(target, shop, "A", "B", order="t1")
    bought(make_user(), shop, "D", order="d1")
    bought(make_user(), shop, "D", "E", order="d2")
    return target
