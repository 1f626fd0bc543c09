"""The cart's prices, always re-read from the catalogue: lines, subtotal, delivery, total."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zizhu.cart.delivery import DEFAULT, DeliveryOption, get_option
from zizhu.cart.models import CartLine
from zizhu.catalog.models import Product
from zizhu.core.money import DEFAULT_CURRENCY, Money, sum_money
from zizhu.inventory.selectors import quantity_limits

LOW_STOCK = 5


@dataclass
class PricedLine:
    id: int
    kind: str  # "variant" or "configured"
    sku: str
    product: Product
    item_id: int  # the variant's or configured SKU's id
    quantity: int
    unit_price: Money
    total: Money
    available: int | None  # None: made to order
    max_quantity: int
    options: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.product.name

    @property
    def stock_status(self) -> str:
        if self.available is None:
            return "made_to_order"
        if self.available < self.quantity:
            return "not_enough" if self.available > 0 else "out_of_stock"
        return "low" if self.available <= LOW_STOCK else "in_stock"

    @property
    def stock_label(self) -> str:
        labels = {
            "made_to_order": _("Made to order"),
            "in_stock": _("In stock"),
            "low": _("Only a few left"),
            "not_enough": _("Not enough in stock"),
            "out_of_stock": _("Out of stock"),
        }
        return str(labels[self.stock_status])

    @property
    def orderable(self) -> bool:
        return self.stock_status not in ("not_enough", "out_of_stock") and self.quantity <= self.max_quantity


@dataclass
class Quote:
    lines: list[PricedLine]
    subtotal: Money
    delivery: DeliveryOption
    delivery_fee: Money
    total: Money
    estimated_date: date

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def orderable(self) -> bool:
        return bool(self.lines) and all(line.orderable for line in self.lines)


def price_lines(lines: Iterable[CartLine]) -> list[PricedLine]:
    """Lines with current prices (``lines`` must select_related variant/configured SKU and products)."""
    lines = list(lines)
    products = {}
    for line in lines:
        product = line.variant.product if line.variant_id else line.configured_sku.product
        products[product.pk] = product
    limits = quantity_limits(products=products.values())
    priced = []
    for line in lines:
        if line.variant_id:
            variant = line.variant
            priced.append(
                variant_line(
                    line_id=line.pk,
                    product=variant.product,
                    variant_id=variant.pk,
                    sku=variant.sku,
                    price=variant.price,
                    stock=variant.stock,
                    variant_active=variant.is_active,
                    quantity=line.quantity,
                    limit=limits[variant.product.pk],
                )
            )
        else:
            configured = line.configured_sku
            priced.append(
                configured_line(
                    line_id=line.pk,
                    product=configured.product,
                    configured_id=configured.pk,
                    sku=configured.sku,
                    unit=configured.unit_price,
                    options=dict(configured.options),
                    quantity=line.quantity,
                    limit=limits[configured.product.pk],
                )
            )
    return priced


# The pricing rules of one line, shared by ``price_lines`` (ORM instances) and checkout's plain-SQL read
# (``cart.selectors.checkout_lines``): a variant sells from stock, and only while it and its product are
# on sale; a built-to-order SKU has no stock (made to order) and sells while its product is on sale.


def variant_line(
    *,
    line_id: int,
    product: Product,
    variant_id: int,
    sku: str,
    price: Any,
    stock: int,
    variant_active: bool,
    quantity: int,
    limit: int,
) -> PricedLine:
    unit = Money.of(price, product.currency)
    available = stock if variant_active and product.is_active else 0
    return PricedLine(
        id=line_id,
        kind="variant",
        sku=sku,
        product=product,
        item_id=variant_id,
        quantity=quantity,
        unit_price=unit,
        total=unit * quantity,
        available=available,
        max_quantity=limit,
    )


def configured_line(
    *,
    line_id: int,
    product: Product,
    configured_id: int,
    sku: str,
    unit: Money,
    options: dict[str, str],
    quantity: int,
    limit: int,
) -> PricedLine:
    return PricedLine(
        id=line_id,
        kind="configured",
        sku=sku,
        product=product,
        item_id=configured_id,
        quantity=quantity,
        unit_price=unit,
        total=unit * quantity,
        available=None if product.is_active else 0,
        max_quantity=limit,
        options=options,
    )


def quote(lines: list[PricedLine], *, delivery: str | None = None, today: date | None = None) -> Quote:
    option = get_option(delivery) or get_option(DEFAULT)
    assert option is not None
    currency = lines[0].unit_price.currency if lines else DEFAULT_CURRENCY
    subtotal = sum_money((line.total for line in lines), currency)
    fee = option.fee_for(subtotal) if lines else Money.zero(currency)
    build_days = max((line.product.delivery_days for line in lines if line.kind == "configured"), default=0)
    return Quote(
        lines=lines,
        subtotal=subtotal,
        delivery=option,
        delivery_fee=fee,
        total=subtotal + fee,
        estimated_date=option.estimated_date(today=today or timezone.localdate(), build_days=build_days),
    )
