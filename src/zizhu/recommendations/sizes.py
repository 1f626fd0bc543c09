"""Size advice: "based on your purchases, size M fits you best".

From the sizes of the customer's kept purchases (orders paid and not cancelled or refunded) of
products measured on the same size scale (attribute ``size`` for clothes, ``shoe-size`` for shoes):
first among the same brand when there are at least ``BRAND_MIN`` of them, else the same category,
else the parent category. Size feedback (the customer's own, or a return's reason "too small" /
"too large" once returns exist) moves a purchase's vote one size up or down.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from zizhu.catalog.models import AttributeValue, Brand, Category, Product, Variant, VariantValue

SIZE_ATTRIBUTES = ("size", "shoe-size")
# an order in one of these states was paid for and kept (a partly refunded order is left out: which
# line went back is not recorded per line)
KEPT_STATUSES = ("paid", "fulfilling", "shipped", "delivered", "completed")
BRAND_MIN = 2
CATEGORY_MIN = 1
SHIFT = {"too_small": 1, "too_large": -1}


@dataclass(frozen=True)
class Purchase:
    line_id: int
    size_position: int  # index on the attribute's ordered scale
    brand_id: int | None
    category_id: int
    parent_category_id: int | None
    verdict: str = ""


@dataclass
class SizeAdvice:
    size: AttributeValue
    attribute_code: str
    basis: str  # "brand" | "category" | "parent_category"
    basis_name: str
    purchases: int
    sku: str | None  # a variant of the product on sale in that size (the first colour)

    @property
    def message(self) -> str:
        return _("Based on your purchases, size %(size)s fits you best.") % {"size": self.size.name}

    @property
    def detail(self) -> str:
        if self.basis == "brand":
            return _("From %(count)d purchases of %(brand)s.") % {"count": self.purchases, "brand": self.basis_name}
        return _("From your purchases in %(category)s (%(count)d).") % {
            "count": self.purchases,
            "category": self.basis_name,
        }


def vote(purchases: list[Purchase], scale_length: int) -> int | None:
    """The size the purchases point to: each purchase votes for its size, shifted by its fit feedback
    (a "fits" verdict votes twice). Ties go to the latest purchase's vote."""
    if not purchases:
        return None
    votes: Counter[int] = Counter()
    latest: dict[int, int] = {}
    for order, purchase in enumerate(purchases):  # oldest first
        position = min(max(purchase.size_position + SHIFT.get(purchase.verdict, 0), 0), scale_length - 1)
        votes[position] += 2 if purchase.verdict == "fits" else 1
        latest[position] = order
    best = max(votes.values())
    return max((p for p, n in votes.items() if n == best), key=lambda p: latest[p])


def size_scale(product: Product) -> tuple[int, str, list[AttributeValue]] | None:
    """The product's size attribute (id, code) and its values in order; None when it has no sizes."""
    link = (
        VariantValue.objects.filter(variant__product=product, attribute__code__in=SIZE_ATTRIBUTES)
        .values_list("attribute_id", "attribute__code")
        .first()
    )
    if link is None:
        return None
    attribute_id, code = link
    return attribute_id, code, list(AttributeValue.objects.filter(attribute_id=attribute_id).order_by("position", "id"))


def kept_purchases(*, customer: Any, attribute_id: int, positions: dict[int, int]) -> list[Purchase]:
    """The customer's kept order lines with a size on this scale, oldest first (three queries)."""
    from zizhu.orders.models import OrderLine
    from zizhu.recommendations.models import SizeFeedback

    lines = list(
        OrderLine.objects.filter(order__customer=customer, order__status__in=KEPT_STATUSES, variant__isnull=False)
        .order_by("order__placed_at", "id")
        .values_list("id", "variant_id", "product__brand_id", "product__category_id", "product__category__parent_id")
    )
    if not lines:
        return []
    sizes = dict(
        VariantValue.objects.filter(variant_id__in={line[1] for line in lines}, attribute_id=attribute_id).values_list(
            "variant_id", "value_id"
        )
    )
    verdicts = dict(
        SizeFeedback.objects.filter(customer=customer, order_line_id__in=[line[0] for line in lines]).values_list(
            "order_line_id", "verdict"
        )
    )
    return [
        Purchase(line_id, positions[sizes[variant_id]], brand_id, category_id, parent_id, verdicts.get(line_id, ""))
        for line_id, variant_id, brand_id, category_id, parent_id in lines
        if sizes.get(variant_id) in positions
    ]


def _basis(product: Product, purchases: list[Purchase]) -> tuple[str, int, list[Purchase]] | None:
    if product.brand_id is not None:
        same = [p for p in purchases if p.brand_id == product.brand_id]
        if len(same) >= BRAND_MIN:
            return "brand", product.brand_id, same
    same = [p for p in purchases if p.category_id == product.category_id]
    if len(same) >= CATEGORY_MIN:
        return "category", product.category_id, same
    parent_id = product.category.parent_id
    if parent_id is not None:
        same = [p for p in purchases if parent_id in (p.category_id, p.parent_category_id)]
        if len(same) >= CATEGORY_MIN:
            return "parent_category", parent_id, same
    return None


def size_advice(*, customer: Any, product: Product) -> SizeAdvice | None:
    """The advice for this customer and product, or None (a guest, no sizes, or not enough purchases)."""
    if not getattr(customer, "pk", None):
        return None
    scale = size_scale(product)
    if scale is None:
        return None
    attribute_id, code, values = scale
    positions = {value.pk: index for index, value in enumerate(values)}
    chosen = _basis(product, kept_purchases(customer=customer, attribute_id=attribute_id, positions=positions))
    if chosen is None:
        return None
    basis, basis_id, purchases = chosen
    position = vote(purchases, len(values))
    if position is None:
        return None
    size = values[position]
    if basis == "brand":
        brand = Brand.objects.get(pk=basis_id)
        name = brand.display_name
    else:
        name = Category.objects.get(pk=basis_id).name
    sku = (
        Variant.objects.filter(product=product, is_active=True, variant_values__value=size)
        .order_by("position", "id")
        .values_list("sku", flat=True)
        .first()
    )
    return SizeAdvice(size, code, basis, name, len(purchases), sku)
