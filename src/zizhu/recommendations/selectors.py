"""Reads: the shop's behaviour events as interactions (for training), and the precomputed lists.

Each list is one query (the product joined in; the reason's name is stored on the row; hidden items
filtered in SQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.db import connections
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from zizhu.catalog.models import BehaviourEvent, Product, Variant
from zizhu.recommendations.interactions import Interactions
from zizhu.recommendations.models import (
    BoughtTogetherItem,
    ForYou,
    HiddenItem,
    HistoryReset,
    ModelVersion,
    SimilarItem,
)

# long texts a list does not show: not loaded (a card shows the name, the price and a link)
PRODUCT_TEXT_FIELDS = ("description_zh", "description_en")
BASKET_CONTEXT_KEYS = ("order", "order_number", "order_id")
GUEST_PREFIX = "guest:"


def load_shop_interactions(*, chunk_size: int = 20_000) -> Interactions:
    """Every behaviour event on a product: signed-in customers by user id, guests by guest key.

    A purchase's basket is its order (``context["order"]``); without one, the customer's day. Views from
    before a customer cleared their browsing history are left out.
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
    resets = dict(HistoryReset.objects.values_list("customer_id", "cleared_at"))
    for user_id, session_key, product_id, kind, occurred_at, context in rows.iterator(chunk_size=chunk_size):
        if user_id is None and not session_key:
            continue
        if kind == BehaviourEvent.Type.VIEW and user_id in resets and occurred_at <= resets[user_id]:
            continue  # the customer cleared their browsing history since
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
    fast = _compiled_list(ForYou, "customer_id", customer.pk, customer.pk, limit)
    if fast is not None:
        return fast
    return _active(_not_hidden(ForYou.objects.filter(customer=customer), customer), limit)


def similar_items(*, product: Product, customer: Any = None, limit: int = 8) -> list[SimilarItem]:
    fast = _compiled_list(SimilarItem, "source_id", product.pk, getattr(customer, "pk", None), limit)
    if fast is not None:
        return fast
    return _active(_not_hidden(SimilarItem.objects.filter(source=product), customer), limit)


def bought_together(*, product: Product, customer: Any = None, limit: int = 6) -> list[BoughtTogetherItem]:
    fast = _compiled_list(BoughtTogetherItem, "source_id", product.pk, getattr(customer, "pk", None), limit)
    if fast is not None:
        return fast
    return _active(_not_hidden(BoughtTogetherItem.objects.filter(source=product), customer), limit)


# --- the lists' hot path ----------------------------------------------------------------------------
# Pages read a list on every visit. Compiling the ORM query costs more CPU than running it, so each
# list's SQL is compiled once per process with placeholder ids and run with the real ones; rows become
# model instances through ``from_db`` (as the ORM does). Where a column needs a value converter
# (SQLite's decimals and times) the ORM query above runs instead. Same rows, same order, one query.

_OWNER = -7_654_321  # ids no row has: they mark where the real ids go in the compiled SQL
_CUSTOMER = -7_654_322
Statement = tuple[str, tuple[Any, ...], list[str], list[str]]


def _compiled_list(model: Any, owner_field: str, owner_id: int, customer_id: int | None, limit: int) -> list | None:
    db = model.objects.db
    statement = _statement(model, owner_field, customer_id is not None, int(limit), db)
    if statement is None:
        return None
    sql, params, own_fields, product_fields = statement
    ids = {_OWNER: owner_id, _CUSTOMER: customer_id}
    rows = []
    with connections[db].cursor() as cursor:
        cursor.execute(sql, [ids.get(value, value) if isinstance(value, int) else value for value in params])
        for values in cursor.fetchall():
            row = model.from_db(db, own_fields, values[: len(own_fields)])
            product = Product.from_db(db, product_fields, values[len(own_fields) :])
            if product.is_active:
                row.product = product
                rows.append(row)
    return rows


@lru_cache(maxsize=64)
def _statement(model: Any, owner_field: str, for_customer: bool, limit: int, db: str) -> Statement | None:
    own = [field.attname for field in model._meta.concrete_fields]
    product = [field.attname for field in Product._meta.concrete_fields if field.attname not in PRODUCT_TEXT_FIELDS]
    rows = model.objects.filter(**{owner_field: _OWNER}).order_by("rank")
    if for_customer:
        hidden = HiddenItem.objects.filter(customer_id=_CUSTOMER, product=OuterRef("product_id"))
        rows = rows.exclude(Exists(hidden))
    compiler = rows.values_list(*own, *(f"product__{name}" for name in product))[:limit].query.get_compiler(db)
    sql, params = compiler.as_sql()
    if compiler.get_converters([column[0] for column in compiler.select]):
        return None
    return sql, tuple(params), own, product


def bought_together_many(*, product_ids: list[int], customer: Any = None, limit: int = 8) -> list[BoughtTogetherItem]:
    """Bought together with any of these products (a cart): each product once, at its best rank."""
    if not product_ids:
        return []
    rows = _not_hidden(BoughtTogetherItem.objects.filter(source_id__in=product_ids), customer)
    rows = rows.exclude(product_id__in=product_ids).select_related("product")
    rows = rows.defer(*(f"product__{name}" for name in PRODUCT_TEXT_FIELDS)).order_by("rank", "-together", "id")
    picked: dict[int, BoughtTogetherItem] = {}
    for row in rows[: limit * 4]:
        if row.product.is_active and row.product_id not in picked:
            picked[row.product_id] = row
    return list(picked.values())[:limit]


def one_click_skus(*, products: list[Product]) -> dict[int, str]:
    """Product id → the SKU a one-click "add to cart" adds: only for products sold in exactly one
    version (others need a choice of size or colour on their page). One query."""
    if not products:
        return {}
    variants: dict[int, list[str]] = {}
    rows = Variant.objects.filter(product_id__in=[p.pk for p in products if not p.is_configurable], is_active=True)
    for product_id, sku in rows.values_list("product_id", "sku"):
        variants.setdefault(product_id, []).append(sku)
    # stock is checked by the cart when the form is sent (it says so when the item is sold out)
    return {pid: skus[0] for pid, skus in variants.items() if len(skus) == 1}


def popular_products(*, customer: Any = None, limit: int = 12) -> list[Product]:
    """Cold start: the best sellers (hidden items left out)."""
    queryset = Product.objects.filter(is_active=True).select_related("category").order_by("-sales_count", "id")
    if customer is not None and getattr(customer, "pk", None):
        queryset = queryset.exclude(Exists(HiddenItem.objects.filter(customer=customer, product=OuterRef("pk"))))
    return list(queryset[:limit])


COLD_START_WEEKS = 12
COLD_START_CATEGORIES = 3


@dataclass(frozen=True)
class Pick:
    """A recommendation made at request time (no stored list yet): a product and why."""

    product: Product
    reason: str
    explanation: str


def looked_at_categories(*, customer: Any, limit: int = COLD_START_CATEGORIES) -> list[int]:
    """The categories the customer looked at most in the last weeks (views after their last history
    clearing only), most looked at first."""
    since = timezone.now() - timedelta(weeks=COLD_START_WEEKS)
    reset = HistoryReset.objects.filter(customer=customer).values_list("cleared_at", flat=True).first()
    if reset is not None and reset > since:
        since = reset
    rows = (
        BehaviourEvent.objects.filter(user=customer, occurred_at__gt=since, product__isnull=False)
        .exclude(event_type=BehaviourEvent.Type.SEARCH)
        .values("product__category_id")
        .annotate(n=Count("id"))
        .order_by("-n", "product__category_id")
    )
    return [row["product__category_id"] for row in rows[:limit]]


def cold_start(*, customer: Any, limit: int = 12) -> list[Pick]:
    """For a customer without a personal list yet: best sellers of the categories they looked at
    ("popular in 手机"), then of the whole shop. Hidden items are left out. Three queries at most."""
    picks: list[Pick] = []
    signed_in = customer is not None and getattr(customer, "pk", None)
    categories = looked_at_categories(customer=customer) if signed_in else []
    if categories:
        queryset = Product.objects.filter(is_active=True, category_id__in=categories).select_related("category")
        if signed_in:
            queryset = queryset.exclude(Exists(HiddenItem.objects.filter(customer=customer, product=OuterRef("pk"))))
        rank = {category_id: index for index, category_id in enumerate(categories)}
        best = sorted(queryset.order_by("-sales_count", "id")[: limit * 2], key=lambda p: rank[p.category_id])
        for product in best[:limit]:
            sentence = gettext("Popular in %(category)s") % {"category": product.category.name}
            picks.append(Pick(product, "popular_in_category", sentence))
    if len(picks) < limit:
        taken = {pick.product.pk for pick in picks}
        for product in popular_products(customer=customer, limit=limit + len(taken)):
            if product.pk not in taken and len(picks) < limit:
                picks.append(Pick(product, "popular", gettext("Popular in our shop")))
    return picks


def hidden_product_ids(*, customer: Any) -> set[int]:
    return set(HiddenItem.objects.filter(customer=customer).values_list("product_id", flat=True))


def latest_version() -> ModelVersion | None:
    return ModelVersion.objects.order_by("-created_at", "-id").first()
