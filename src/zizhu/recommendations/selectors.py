"""Reads: the shop's behaviour events as interactions (for training), and the precomputed lists.

Each list is one query (the product joined in; the reason's name is stored on the row; hidden items
filtered in SQL).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from zizhu.catalog.models import BehaviourEvent, Product
from zizhu.recommendations.interactions import Interactions
from zizhu.recommendations.models import BoughtTogetherItem, ForYou, HiddenItem, ModelVersion, SimilarItem

# long texts a list does not show: not loaded (a card shows the name, the price and a link)
PRODUCT_TEXT_FIELDS = ("description_zh", "description_en")
BASKET_CONTEXT_KEYS = ("order", "order_number", "order_id")
GUEST_PREFIX = "guest:"


def load_shop_interactions(*, chunk_size: int = 20_000) -> Interactions:
    """Every behaviour event on a product: signed-in customers by user id, guests by guest key.

    A purchase's basket is its order (``context["order"]``); without one, the customer's day.
    """
    users: list[object] = []
    items: list[object] = []
    kinds: list[str] = []
    times: list[Any] = []
    baskets: list[str] = []
    rows = (
        BehaviourEvent.objects.filter(product__isnull=False)
        .exclude(event_type=BehaviourEvent.Type.SEARCH)
        .values_list("user_id", "session_key", "product_id", "event_type", "occurred_at", "context")
        .order_by()
    )
    for user_id, session_key, product_id, kind, occurred_at, context in rows.iterator(chunk_size=chunk_size):
        if user_id is None and not session_key:
            continue
        users.append(user_id if user_id is not None else GUEST_PREFIX + session_key)
        items.append(product_id)
        kinds.append(kind)
        times.append(occurred_at)
        basket = next((context.get(k) for k in BASKET_CONTEXT_KEYS if (context or {}).get(k)), "")
        baskets.append(str(basket))
    if not users:
        return Interactions.empty()
    return Interactions.from_rows(list(zip(users, items, kinds, times, baskets, strict=True)))


def _active(rows: QuerySet[Any], limit: int) -> list[Any]:
    """One query (the product joined; the reason's name is stored on the row). A product switched off
    since the last training is left out here rather than joined against in SQL."""
    rows = rows.select_related("product").defer(*(f"product__{name}" for name in PRODUCT_TEXT_FIELDS))
    return [row for row in rows.order_by("rank")[:limit] if row.product.is_active]


def _not_hidden(rows: QuerySet[Any], customer: Any) -> QuerySet[Any]:
    if customer is not None and getattr(customer, "pk", None):
        return rows.exclude(Exists(HiddenItem.objects.filter(customer=customer, product=OuterRef("product_id"))))
    return rows


def for_you(*, customer: Any, limit: int = 12) -> list[ForYou]:
    """The customer's personal list (empty for a guest or before the first training). Hidden items are
    also filtered here: a training that started before the customer hid one may still write it."""
    if not getattr(customer, "pk", None):
        return []
    return _active(_not_hidden(ForYou.objects.filter(customer=customer), customer), limit)


def similar_items(*, product: Product, customer: Any = None, limit: int = 8) -> list[SimilarItem]:
    return _active(_not_hidden(SimilarItem.objects.filter(source=product), customer), limit)


def bought_together(*, product: Product, customer: Any = None, limit: int = 6) -> list[BoughtTogetherItem]:
    return _active(_not_hidden(BoughtTogetherItem.objects.filter(source=product), customer), limit)


def popular_products(*, customer: Any = None, limit: int = 12) -> list[Product]:
    """Cold start: the best sellers (hidden items left out)."""
    queryset = Product.objects.filter(is_active=True).select_related("category").order_by("-sales_count", "id")
    if customer is not None and getattr(customer, "pk", None):
        queryset = queryset.exclude(Exists(HiddenItem.objects.filter(customer=customer, product=OuterRef("pk"))))
    return list(queryset[:limit])


def hidden_product_ids(*, customer: Any) -> set[int]:
    return set(HiddenItem.objects.filter(customer=customer).values_list("product_id", flat=True))


def latest_version() -> ModelVersion | None:
    return ModelVersion.objects.order_by("-created_at", "-id").first()
