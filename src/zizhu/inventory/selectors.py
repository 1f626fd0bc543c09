"""Read queries for stock: what is available, per-product quantity limits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import F, Sum

from zizhu.catalog.models import Product
from zizhu.inventory.models import PurchaseLimit, Stock, StockMovement


def available_by_variant(*, variant_ids: Iterable[int]) -> dict[int, int]:
    """Available units (on hand - allocated, all warehouses) per variant. A variant without
    stock rows yet is not in the answer (the catalogue's ``Variant.stock`` then holds it)."""
    rows = (
        Stock.objects.filter(variant_id__in=list(variant_ids), warehouse__is_active=True)
        .values("variant_id")
        .annotate(total=Sum(F("on_hand") - F("allocated")))
    )
    return {r["variant_id"]: r["total"] for r in rows}


def default_limit(product: Product) -> int:
    if product.is_configurable:
        return int(getattr(settings, "ZIZHU_BUILD_TO_ORDER_LIMIT", 5))
    return int(getattr(settings, "ZIZHU_CART_MAX_QUANTITY", 99))


def quantity_limits(*, products: Iterable[Product]) -> dict[int, int]:
    """Most of each product one order may hold (a ``PurchaseLimit`` row, else the default).

    Products read with ``select_related("…product__purchase_limit")`` already carry their row (or
    its absence): then no query is made (the cart and checkout read their lines that way)."""
    products = list(products)
    if all(Product.purchase_limit.is_cached(p) for p in products):
        explicit = {}
        for p in products:
            row = getattr(p, "purchase_limit", None)  # a cached "no row" raises an AttributeError subclass
            if row is not None:
                explicit[p.pk] = row.max_quantity
    else:
        explicit = dict(
            PurchaseLimit.objects.filter(product__in=[p.pk for p in products]).values_list("product_id", "max_quantity")
        )
    return {p.pk: explicit.get(p.pk, default_limit(p)) for p in products}


def totals(*, variant_id: int) -> dict[str, int]:
    """on_hand, allocated, available and shipped (from the ledger) of one variant."""
    agg = Stock.objects.filter(variant_id=variant_id).aggregate(on_hand=Sum("on_hand"), allocated=Sum("allocated"))
    shipped = StockMovement.objects.filter(stock__variant_id=variant_id, reason=StockMovement.Reason.SHIPPED).aggregate(
        n=Sum("on_hand_change")
    )
    on_hand, allocated = agg["on_hand"] or 0, agg["allocated"] or 0
    return {
        "on_hand": on_hand,
        "allocated": allocated,
        "available": on_hand - allocated,
        "shipped": -(shipped["n"] or 0),
    }
