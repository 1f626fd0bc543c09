"""State changes of the recommender: training (stores the lists) and hiding items."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zizhu.catalog.models import BehaviourEvent, Category, Product, VariantValue
from zizhu.catalog.services import flush_recorded_activity
from zizhu.core.errors import InvalidInput, NotFound
from zizhu.recommendations import digests, selectors
from zizhu.recommendations.algorithms.blend import DEFAULT_WEIGHTS, HALF_LIFE_DAYS
from zizhu.recommendations.models import (
    BoughtTogetherItem,
    DigestSchedule,
    ForYou,
    HiddenItem,
    HistoryReset,
    ModelVersion,
    SimilarItem,
    SizeFeedback,
)
from zizhu.recommendations.sizes import SIZE_ATTRIBUTES
from zizhu.recommendations.training import ListRow, Progress, compute_lists

WRITE_BATCH = 2000
LEARN_BATCH = 500  # bulk_update sends 2 parameters per row and field


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, "ZIZHU_RECOMMENDATIONS", {}).get(name, default)


def _quiet(label: str, done: int, total: int) -> None:
    return None


def train_recommendations(*, progress: Progress = _quiet) -> ModelVersion:
    """Train on every behaviour event and replace the stored lists (one transaction for the swap)."""
    started = time.perf_counter()
    progress("load", 0, 1)
    flush_recorded_activity(wait=True)  # the views still queued (catalog.recording) count too
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


# --- history, size feedback -----------------------------------------------------------------------


@transaction.atomic
def forget_browsing_history(*, customer_id: int, cleared_at: datetime) -> int:
    """The customer cleared their browsing history: views up to ``cleared_at`` no longer teach the
    recommender, and their personal list (which was learned from them) is dropped until the next
    training (pages show the cold-start list meanwhile). Hidden items stay hidden. Idempotent."""
    reset, created = HistoryReset.objects.get_or_create(customer_id=customer_id, defaults={"cleared_at": cleared_at})
    if not created and reset.cleared_at < cleared_at:
        reset.cleared_at = cleared_at
        reset.save(update_fields=["cleared_at"])
    deleted, _details = ForYou.objects.filter(customer_id=customer_id).delete()
    return deleted


@transaction.atomic
def record_size_feedback(*, customer: Any, order_line_id: int, verdict: str, source: str = "customer") -> SizeFeedback:
    """How a bought size fitted; moves the size advice. Aftersales calls this with ``source="return"``
    and the return's reason (too small / too large). Another customer's line: not found."""
    from zizhu.orders.models import OrderLine

    if verdict not in SizeFeedback.Verdict.values:
        message = _("Choose too small, too large or fits.")
        raise InvalidInput(message, fields={"verdict": [message]})
    if source not in SizeFeedback.Source.values:
        raise InvalidInput(_("Unknown source."), fields={"source": [_("Unknown source.")]})
    line = OrderLine.objects.filter(pk=order_line_id, order__customer=customer).first() if customer else None
    if line is None:
        raise NotFound(_("There is no such item in your orders."))
    variant_id = line.variant_id
    sized = (
        variant_id is not None
        and VariantValue.objects.filter(variant_id=variant_id, attribute__code__in=SIZE_ATTRIBUTES).exists()
    )
    if not sized:
        message = _("This item has no size.")
        raise InvalidInput(message, fields={"order_line": [message]})
    feedback, _created = SizeFeedback.objects.update_or_create(
        order_line=line, defaults={"customer": customer, "verdict": verdict, "source": source}
    )
    return feedback


# --- timely suggestions (digests) -----------------------------------------------------------------


def learn_activity_hours(*, now: datetime | None = None) -> int:
    """Store each customer's usual hour of the week from their last weeks of behaviour events
    (one aggregate query, then bulk writes: the last digest's time and products are kept)."""
    now = now or timezone.now()
    zone = digests.shop_time_zone()
    flush_recorded_activity(wait=True)  # the views still queued (catalog.recording) count too
    histograms = digests.activity_histograms(since=now - timedelta(weeks=digests.LEARN_WEEKS), zone=zone)
    with transaction.atomic():
        # every stored schedule is rewritten (no IN list of all customers: SQLite caps its parameters)
        existing = {row.customer_id: row for row in DigestSchedule.objects.all()}
        new: list[DigestSchedule] = []
        for customer_id, row in existing.items():
            if customer_id not in histograms:  # no activity in the last weeks: no usual hour any more
                row.usual_hour, row.events, row.learned_at = None, 0, now
        for customer_id, counts in histograms.items():
            row = existing.get(customer_id) or DigestSchedule(customer_id=customer_id)
            row.usual_hour, row.time_zone = digests.usual_hour(counts), zone
            row.events, row.learned_at = int(counts.sum()), now
            if row.pk is None:
                new.append(row)
        fields = ["usual_hour", "time_zone", "events", "learned_at"]
        DigestSchedule.objects.bulk_update(list(existing.values()), fields, batch_size=LEARN_BATCH)
        DigestSchedule.objects.bulk_create(new, batch_size=LEARN_BATCH, ignore_conflicts=True)
    return len(histograms)


def _due_schedules(now: datetime) -> list[DigestSchedule]:
    from zizhu.notifications.models import NotificationSettings

    opted_out = NotificationSettings.objects.filter(customer=OuterRef("customer_id"), digests=False)
    return list(
        DigestSchedule.objects.filter(usual_hour__in=digests.due_hours(now, digests.shop_time_zone()))
        .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - digests.DIGEST_INTERVAL))
        .exclude(Exists(opted_out))
        .select_related("customer")
    )


def send_digests(*, now: datetime | None = None, relearn_after: timedelta = timedelta(hours=20)) -> int:
    """Hourly: a short digest of new picks to customers whose usual hour of the week is now, at most one
    per 7 days, in the inbox (and by e-mail when they opted in). Returns how many were sent."""
    from zizhu.notifications import selectors as notification_settings
    from zizhu.notifications import services as notifications

    now = now or timezone.now()
    last_learned = DigestSchedule.objects.order_by("-learned_at").values_list("learned_at", flat=True).first()
    if last_learned is None or now - last_learned > relearn_after:
        learn_activity_hours(now=now)
    sent = 0
    for schedule in _due_schedules(now):
        customer = schedule.customer
        if not customer.is_active:
            continue
        rows = [
            row
            for row in selectors.for_you(customer=customer, limit=digests.DIGEST_ITEMS * 3)
            if row.product_id not in set(schedule.last_digest_products)
        ][: digests.DIGEST_ITEMS]
        if not rows:
            continue  # nothing new to say: no digest (and the week is not used up)
        subject, body = digests.digest_text(customer=customer, rows=rows)
        prefs = notification_settings.settings_for(customer=customer)
        with transaction.atomic():
            claimed = (
                DigestSchedule.objects.filter(pk=schedule.pk)
                .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - digests.DIGEST_INTERVAL))
                .update(last_digest_at=now, last_digest_products=[row.product_id for row in rows])
            )
            if not claimed:  # another run sent it a moment ago
                continue
            notifications.send_message(
                customer=customer, subject=subject, body=body, link="/#for-you", kind="digest", email=prefs.digest_email
            )
        sent += 1
    return sent
