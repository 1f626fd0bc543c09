"""State changes of the recommender: training (stores the lists) and hiding items."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.catalog.models import BehaviourEvent, Category, Product
from zizhu.core.errors import NotFound
from zizhu.recommendations import selectors
from zizhu.recommendations.algorithms.blend import DEFAULT_WEIGHTS, HALF_LIFE_DAYS
from zizhu.recommendations.models import BoughtTogetherItem, ForYou, HiddenItem, ModelVersion, SimilarItem
from zizhu.recommendations.training import ListRow, Progress, compute_lists

WRITE_BATCH = 2000


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, "ZIZHU_RECOMMENDATIONS", {}).get(name, default)


def _quiet(label: str, done: int, total: int) -> None:
    return None


def train_recommendations(*, progress: Progress = _quiet) -> ModelVersion:
    """Train on every behaviour event and replace the stored lists (one transaction for the swap)."""
    started = time.perf_counter()
    progress("load", 0, 1)
    events = selectors.load_shop_interactions()
    progress("load", 1, 1)
    products = dict(Product.objects.filter(is_active=True).values_list("id", "category_id"))
    hidden: dict[int, set[int]] = {}
    for customer_id, product_id in HiddenItem.objects.values_list("customer_id", "product_id"):
        hidden.setdefault(customer_id, set()).add(product_id)
    weights = _setting("weights", DEFAULT_WEIGHTS)
    lists = compute_lists(
        events,
        now=np.datetime64(timezone.now().replace(tzinfo=None), "s"),
        size=int(_setting("list_size", 24)),
        allowed=set(products),
        hidden=hidden,
        categories=products,
        weights=weights,
        threads=int(_setting("threads", 2)),
        progress=progress,
    )
    with transaction.atomic():
        version = ModelVersion.objects.create(
            algorithm="blend(ease, als, knn, trending, buy_again) + item-kNN + bought-together",
            parameters={"weights": weights, "half_life_days": HALF_LIFE_DAYS},
            stats={**lists.stats, "seconds": {k: round(v, 3) for k, v in lists.seconds.items()}},
        )
        ForYou.objects.exclude(version=version).delete()
        SimilarItem.objects.exclude(version=version).delete()
        BoughtTogetherItem.objects.exclude(version=version).delete()
        names = _reason_names(lists.for_you)
        _write(ForYou, "customer_id", lists.for_you, version, progress, names)
        _write(SimilarItem, "source_id", lists.similar, version, progress, names)
        _write(BoughtTogetherItem, "source_id", lists.together, version, progress, names)
        version.seconds = time.perf_counter() - started
        version.stats["rows"] = {
            "for_you": len(lists.for_you),
            "similar": len(lists.similar),
            "together": len(lists.together),
        }
        version.save(update_fields=["seconds", "stats"])
    return version


Names = dict[tuple[str, int], tuple[str, str]]


def _reason_names(rows: list[ListRow]) -> Names:
    """(kind, id) → (Chinese, English) name of every product and category that explains a row."""
    product_ids = {row.reason_product for row in rows if row.reason_product is not None}
    category_ids = {row.reason_category for row in rows if row.reason_category is not None}
    names: Names = {}
    for pk, name_zh, name_en in Product.objects.filter(pk__in=product_ids).values_list("pk", "name_zh", "name_en"):
        names["product", pk] = (name_zh, name_en)
    for pk, name_zh, name_en in Category.objects.filter(pk__in=category_ids).values_list("pk", "name_zh", "name_en"):
        names["category", pk] = (name_zh, name_en)
    return names


def _write(
    model: Any, owner_field: str, rows: list[ListRow], version: ModelVersion, progress: Progress, names: Names
) -> None:
    label = f"write:{model._meta.model_name}"
    for start in range(0, len(rows), WRITE_BATCH):
        objects = []
        for row in rows[start : start + WRITE_BATCH]:
            if row.reason_product is not None:
                name_zh, name_en = names.get(("product", row.reason_product), ("", ""))
            elif row.reason_category is not None:
                name_zh, name_en = names.get(("category", row.reason_category), ("", ""))
            else:
                name_zh = name_en = ""
            fields = {
                owner_field: row.owner,
                "product_id": row.product,
                "rank": row.rank,
                "score": row.score,
                "reason": row.reason,
                "reason_product_id": row.reason_product,
                "reason_category_id": row.reason_category,
                "reason_name_zh": name_zh[:200],
                "reason_name_en": name_en[:200],
                "version": version,
            }
            if model is BoughtTogetherItem:
                fields["together"] = row.together
            objects.append(model(**fields))
        model.objects.bulk_create(objects)
        progress(label, min(start + WRITE_BATCH, len(rows)), len(rows))


@transaction.atomic
def hide_item(*, customer: Any, product_id: int) -> HiddenItem:
    """Never recommend this product to this customer again (also taken off the current list)."""
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("This product does not exist."))
    hidden, _created = HiddenItem.objects.get_or_create(customer=customer, product=product)
    ForYou.objects.filter(customer=customer, product=product).delete()
    return hidden


@transaction.atomic
def unhide_item(*, customer: Any, product_id: int) -> bool:
    deleted, _details = HiddenItem.objects.filter(customer=customer, product_id=product_id).delete()
    return bool(deleted)


def record_order_purchases(*, order_number: str) -> int:
    """A paid order's products become ``purchase`` behaviour events (basket = the order number).

    Idempotent: an order already recorded is skipped. Guest orders have no customer to learn for.
    """
    from zizhu.catalog.services import record_behaviour
    from zizhu.orders.models import Order

    order = Order.objects.filter(number=order_number).select_related("customer").first()
    if order is None or order.customer is None:
        return 0
    already = BehaviourEvent.objects.filter(
        event_type=BehaviourEvent.Type.PURCHASE, user=order.customer, context__order=order.number
    )
    if already.exists():
        return 0
    product_ids = sorted({pid for pid in order.lines.values_list("product_id", flat=True) if pid is not None})
    for product_id in product_ids:
        record_behaviour(
            event_type=BehaviourEvent.Type.PURCHASE,
            user=order.customer,
            product_id=product_id,
            context={"order": order.number},
        )
    return len(product_ids)


def train_if_due(*, min_age_hours: float = 20.0, night_hours: tuple[int, int] = (2, 5)) -> ModelVersion | None:
    """Nightly: train when the last version is older than ``min_age_hours`` and it is night in the shop's
    time zone (or when nothing was ever trained)."""
    latest = selectors.latest_version()
    now = timezone.now()
    if latest is not None:
        if (now - latest.created_at).total_seconds() < min_age_hours * 3600:
            return None
        local_hour = timezone.localtime(now).hour
        if not night_hours[0] <= local_hour < night_hours[1]:
            return None
    return train_recommendations()
