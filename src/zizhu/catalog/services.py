"""Catalogue services: the only code that changes catalogue rows.

Product changes are announced through the outbox (``catalog.product.changed`` /
``catalog.product.deleted`` with ``{"product_id": id}``) in the same transaction, so the
search index (and later caches) follow every change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from zizhu.catalog import behaviour, configurator, recording
from zizhu.catalog.importing import ProductRow
from zizhu.catalog.models import (
    BehaviourEvent,
    Brand,
    BrowsingHistory,
    ConfiguredSku,
    Favourite,
    Product,
    Variant,
    VariantValue,
)
from zizhu.catalog.owners import Owner
from zizhu.catalog.selectors import CATEGORIES_CACHE_KEY
from zizhu.core import events
from zizhu.core.errors import InvalidInput, NotFound

PRODUCT_CHANGED = "catalog.product.changed"
PRODUCT_DELETED = "catalog.product.deleted"
HISTORY_LIMIT = recording.HISTORY_LIMIT
MAX_QUERY_LENGTH = 200
MAX_CONTEXT_KEYS = 20


# --- products ------------------------------------------------------------------------------------------------


def announce_product_changed(*, product_ids: Iterable[int]) -> None:
    """Record a change event per product (inside the caller's transaction) and move the
    products' ``updated_at``, which retires their cached pages (``selectors.get_product_for_page``)."""
    ids = sorted(set(product_ids))
    if ids:
        Product.objects.filter(pk__in=ids).update(updated_at=timezone.now())
    for product_id in ids:
        events.emit(PRODUCT_CHANGED, {"product_id": product_id})


def categories_changed() -> None:
    """Forget the cached category tree (after a category is added, changed or removed)."""
    transaction.on_commit(lambda: cache.delete(CATEGORIES_CACHE_KEY))


def save_product(*, product: Product) -> Product:
    """Save a product (new or changed) and announce it."""
    with transaction.atomic():
        product.save()
        announce_product_changed(product_ids=[product.pk])
    return product


def delete_product(*, product: Product) -> None:
    """Delete a product for good (usually a product is only taken off sale) and announce it."""
    product_id = product.pk
    with transaction.atomic():
        product.delete()
        events.emit(PRODUCT_DELETED, {"product_id": product_id})


def set_variant_stock(*, variant: Variant, stock: int) -> Variant:
    """Set a variant's stock on hand (the database refuses a negative number)."""
    if stock < 0:
        raise InvalidInput(_("Stock cannot be negative."), fields={"stock": [_("Stock cannot be negative.")]})
    with transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(stock=stock)
        variant.stock = stock
        announce_product_changed(product_ids=[variant.product_id])
    return variant


def apply_import(*, products: list[ProductRow], advance: Callable[[], None] | None = None) -> dict[str, int]:
    """Write checked import rows in one transaction: products by slug, variants by SKU
    (existing ones are updated). Every product touched is announced."""
    counts = {"products_created": 0, "products_updated": 0, "variants_created": 0, "variants_updated": 0}
    brands: dict[str, Brand] = {}
    touched: list[int] = []
    with transaction.atomic():
        for row in products:
            brand = _import_brand(row.brand, row.brand_en, brands) if row.brand else None
            fields = {
                "category": row.category,
                "brand": brand,
                "name_zh": row.name_zh,
                "name_en": row.name_en,
                "description_zh": row.description_zh,
                "description_en": row.description_en,
                "currency": row.currency,
                "delivery_days": row.delivery_days,
                "is_active": row.is_active,
                "price": min(v.price for v in row.variants),
            }
            product, created = Product.objects.update_or_create(slug=row.slug, defaults=fields)
            counts["products_created" if created else "products_updated"] += 1
            touched.append(product.pk)
            for variant_row in row.variants:
                variant, variant_created = Variant.objects.update_or_create(
                    sku=variant_row.sku,
                    defaults={"product": product, "price": variant_row.price, "stock": variant_row.stock},
                )
                counts["variants_created" if variant_created else "variants_updated"] += 1
                VariantValue.objects.filter(variant=variant).delete()
                VariantValue.objects.bulk_create(
                    [VariantValue(variant=variant, attribute_id=v.attribute_id, value=v) for v in variant_row.values]
                )
            if advance is not None:
                advance()
        announce_product_changed(product_ids=touched)
    return counts


def _import_brand(name: str, name_en: str, cache: dict[str, Brand]) -> Brand:
    if name in cache:
        return cache[name]
    brand = Brand.objects.filter(name=name).first()
    if brand is None:
        base = slugify(name_en or name) or "brand-" + hashlib.sha256(name.encode()).hexdigest()[:8]
        slug = base
        if Brand.objects.filter(slug=slug).exists():
            slug = f"{base[:70]}-{hashlib.sha256(name.encode()).hexdigest()[:6]}"
        brand = Brand.objects.create(name=name, name_en=name_en, slug=slug)
    elif name_en and brand.name_en != name_en:
        brand.name_en = name_en
        brand.save(update_fields=["name_en"])
    cache[name] = brand
    return brand


# --- configurator ------------------------------------------------------------------------------------------


def configured_sku_code(product: Product, signature: str) -> str:
    digest = hashlib.sha256(f"{product.pk}:{signature}".encode()).hexdigest()[:12].upper()
    return f"CFG-{product.pk}-{digest}"


def configure_product(*, product: Product, options: Mapping[str, Any]) -> ConfiguredSku:
    """Validate a configuration again on the server and return its orderable SKU.

    ``product`` should come from ``selectors.product_detail_queryset()`` (options and
    rules prefetched). Raises ``InvalidInput`` (422) naming the unknown option, the
    missing required choice or the broken rule. The same configuration always gives
    the same SKU; its price follows the current prices.
    """
    valid = configurator.validate(product, options)
    price = valid.price.amount
    with transaction.atomic():
        sku = ConfiguredSku.objects.filter(product=product, signature=valid.signature).first()
        if sku is None:
            try:
                with transaction.atomic():
                    sku = ConfiguredSku.objects.create(
                        product=product,
                        signature=valid.signature,
                        options=valid.options,
                        sku=configured_sku_code(product, valid.signature),
                        price=price,
                        currency=valid.price.currency,
                    )
            except IntegrityError:  # created by a concurrent request a moment ago
                sku = ConfiguredSku.objects.get(product=product, signature=valid.signature)
        if sku.price != price or sku.currency != valid.price.currency:
            sku.price, sku.currency = price, valid.price.currency
            sku.save(update_fields=["price", "currency"])
    return sku


# --- favourites -------------------------------------------------------------------------------------------


def add_favourite(*, owner: Owner, product: Product) -> tuple[Favourite, bool]:
    """Keep a product; adding it twice is harmless. Returns (favourite, created)."""
    if not product.is_active:
        raise NotFound(_("This product is no longer on sale."))
    existing = Favourite.objects.filter(**owner.lookup(), product=product).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            favourite = Favourite.objects.create(**owner.fields(), product=product)
    except IntegrityError:  # a double click: the other request created it
        return Favourite.objects.get(**owner.lookup(), product=product), False
    record_behaviour(event_type=BehaviourEvent.Type.FAVOURITE, owner=owner, product_id=product.pk)
    return favourite, True


def remove_favourite(*, owner: Owner, product: Product | None = None, favourite_id: int | None = None) -> int:
    """Forget a favourite of this owner (by product or id). Another owner's id is not found."""
    rows = Favourite.objects.filter(**owner.lookup())
    if favourite_id is not None:
        rows = rows.filter(pk=favourite_id)
    elif product is not None:
        rows = rows.filter(product=product)
    else:
        raise InvalidInput(_("Say which favourite to remove."), fields={"product": [_("This field is required.")]})
    deleted, _details = rows.delete()
    if favourite_id is not None and not deleted:
        raise NotFound(_("No such favourite."))
    return deleted


def toggle_favourite(*, owner: Owner, product: Product) -> bool:
    """Add when absent, remove when present. Returns whether it is now a favourite."""
    if Favourite.objects.filter(**owner.lookup(), product=product).exists():
        remove_favourite(owner=owner, product=product)
        return False
    add_favourite(owner=owner, product=product)
    return True


# --- browsing history and behaviour ---------------------------------------------------------------------


def record_view(
    *, owner: Owner | None, product_id: int, context: Mapping[str, Any] | None = None, new_guest: bool = False
) -> None:
    """A product page was seen: history (latest view per product) and a behaviour event, both
    handed on after the response (written in bulk, see ``catalog.recording``). ``new_guest``: the
    owner's guest key was made by this view (no rows to look up)."""
    if owner is not None:
        behaviour.touch(
            recording.Touch(
                user_id=owner.user.pk if owner.user is not None else None,
                session_key="" if owner.user is not None else owner.session_key,
                product_id=product_id,
                viewed_at=timezone.now(),
                new_guest=new_guest,
            )
        )
    record_behaviour(event_type=BehaviourEvent.Type.VIEW, owner=owner, product_id=product_id, context=context)


def flush_recorded_activity(*, wait: bool = False) -> int:
    """Write the queued views, history touches and behaviour events now (``catalog.recording``); for
    readers that must see every view so far (``wait``: also the ones another flush is writing)."""
    return recording.flush(wait=wait)


HISTORY_CLEARED = "catalog.history.cleared"


def clear_history(*, owner: Owner) -> int:
    """Forget the owner's browsing history. For a signed-in customer the recommender is told (outbox
    ``catalog.history.cleared`` with ``user_id`` and ``cleared_at``) so it stops learning from those views.
    Views still queued are written first, so none comes back after the clearing."""
    recording.flush(wait=True)
    with transaction.atomic():
        deleted, _details = BrowsingHistory.objects.filter(**owner.lookup()).delete()
        if owner.user is not None:
            events.emit(HISTORY_CLEARED, {"user_id": owner.user.pk, "cleared_at": timezone.now().isoformat()})
    return deleted


def remove_history_entry(*, owner: Owner, entry_id: int) -> None:
    recording.flush(wait=True)  # a queued view of the same product would bring the row back
    deleted, _details = BrowsingHistory.objects.filter(**owner.lookup(), pk=entry_id).delete()
    if not deleted:
        raise NotFound(_("No such entry in your history."))


def merge_guest_activity(*, session_key: str, user: Any) -> dict[str, int]:
    """Move a guest's favourites and history to the account that signed in.

    A product already in the account keeps one row (history: the later view). Running
    it twice changes nothing the second time. Behaviour events stay as recorded: the
    guest key is kept in the session, so later events carry both the user and the key
    and the recommender can join them.
    """
    if not session_key or user is None:
        return {"favourites": 0, "history": 0}
    recording.flush(wait=True)  # the guest's latest views are still queued
    with transaction.atomic():
        guest_favourites = Favourite.objects.filter(user__isnull=True, session_key=session_key)
        owned = set(Favourite.objects.filter(user=user).values_list("product_id", flat=True))
        guest_favourites.filter(product_id__in=owned).delete()
        moved_favourites = guest_favourites.update(user=user, session_key="")

        guest_history = BrowsingHistory.objects.filter(user__isnull=True, session_key=session_key)
        seen = dict(BrowsingHistory.objects.filter(user=user).values_list("product_id", "viewed_at"))
        duplicates = guest_history.filter(product_id__in=list(seen))
        for product_id, guest_viewed_at in duplicates.values_list("product_id", "viewed_at"):
            if guest_viewed_at > seen[product_id]:
                BrowsingHistory.objects.filter(user=user, product_id=product_id).update(viewed_at=guest_viewed_at)
        duplicates.delete()
        moved_history = guest_history.update(user=user, session_key="")
    return {"favourites": moved_favourites, "history": moved_history}


GUEST_RETENTION_DAYS = 30


def purge_guest_activity(*, older_than_days: int = GUEST_RETENTION_DAYS) -> int:
    """Forget guests' favourites and history not touched for a month (their sessions have
    expired long before: sessions last 14 days). Periodic job."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    favourites, _details = Favourite.objects.filter(user__isnull=True, created_at__lt=cutoff).delete()
    history, _details = BrowsingHistory.objects.filter(user__isnull=True, viewed_at__lt=cutoff).delete()
    return favourites + history


def record_behaviour(
    *,
    event_type: str,
    owner: Owner | None = None,
    user: Any = None,
    session_key: str = "",
    product_id: int | None = None,
    query: str = "",
    context: Mapping[str, Any] | None = None,
) -> BehaviourEvent:
    """Append a behaviour event for the recommender; never slows the page.

    In a request the event is buffered and written with the request's other events in
    one INSERT after the response (see ``catalog.behaviour``); elsewhere after commit.
    """
    if event_type not in BehaviourEvent.Type.values:
        raise InvalidInput(_("Unknown behaviour type."), fields={"event_type": [_("Unknown behaviour type.")]})
    if owner is not None:
        user = owner.user if user is None else user
        session_key = session_key or owner.session_key
    clean_context: dict[str, Any] = {}
    for key, value in list((context or {}).items())[:MAX_CONTEXT_KEYS]:
        if isinstance(value, (str, int, bool)) or value is None:
            clean_context[str(key)[:40]] = value[:200] if isinstance(value, str) else value
    event = BehaviourEvent(
        user=user if getattr(user, "pk", None) else None,
        session_key=(session_key or "")[:40],
        product_id=product_id,
        event_type=event_type,
        query=(query or "").replace("\x00", "")[:MAX_QUERY_LENGTH],
        context=clean_context,
        occurred_at=timezone.now(),
    )
    behaviour.record(event)
    return event
