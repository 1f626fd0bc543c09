"""Read queries for carts: the cart with its lines, priced from the catalogue (fixed query count)."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Q, QuerySet, Sum

from zizhu.cart.models import Cart, CartLine
from zizhu.cart.pricing import PricedLine, Quote, configured_line, price_lines, quote, variant_line
from zizhu.catalog.models import ConfiguredSku, Product
from zizhu.core import sql
from zizhu.core.money import Money
from zizhu.inventory.selectors import default_limit


def cart_lines(*, cart: Cart | None) -> QuerySet[CartLine]:
    if cart is None:
        return CartLine.objects.none()
    # The purchase limit rides along (one-to-one, LEFT JOIN): pricing needs no extra query for it.
    return CartLine.objects.filter(cart=cart).select_related(
        "variant__product__purchase_limit", "configured_sku__product__purchase_limit"
    )


# Checkout's pricing read as one plain SELECT on PostgreSQL: the ORM spent ~1.1 ms of CPU building
# this four-model JOIN and its instances, per order (flash-sale profile, docs/ordering.md).
_PRODUCT_FIELDS = [  # in the model's field order, as Model.from_db expects them
    f.attname
    for f in Product._meta.concrete_fields
    if f.attname in {"id", "slug", "name_zh", "name_en", "is_active", "currency", "delivery_days", "is_configurable"}
]
_CHECKOUT_LINES = """
SELECT l.id, l.quantity, l.variant_id, l.configured_sku_id,
       v.sku, v.price, v.stock, v.is_active, c.sku, c.price, c.currency, c.options,
       {product_columns},
       pl.max_quantity
FROM cart_cartline l
LEFT JOIN catalog_variant v ON v.id = l.variant_id
LEFT JOIN catalog_configuredsku c ON c.id = l.configured_sku_id
JOIN catalog_product p ON p.id = COALESCE(v.product_id, c.product_id)
LEFT JOIN inventory_purchaselimit pl ON pl.product_id = p.id
WHERE l.cart_id = %s
ORDER BY l.added_at, l.id
""".format(product_columns=", ".join(f"p.{name}" for name in _PRODUCT_FIELDS))


def checkout_lines(*, cart: Cart) -> list[PricedLine]:
    """The lines priced from the catalogue, as ``priced_lines`` gives them (products carry only the
    fields the cart and checkout read: slug, name, activity, currency, delivery days)."""
    db = sql.default_connection()
    if db.vendor != "postgresql":
        return priced_lines(cart=cart)
    with db.cursor() as cursor:
        cursor.execute(_CHECKOUT_LINES, [cart.pk])
        rows = cursor.fetchall()
    options_field = ConfiguredSku._meta.get_field("options")
    priced = []
    for row in rows:
        line_id, quantity, variant_id, configured_id = row[:4]
        v_sku, v_price, v_stock, v_active, c_sku, c_price, c_currency, c_options = row[4:12]
        product = Product.from_db(db.alias, _PRODUCT_FIELDS, row[12:20])
        limit = row[20] if row[20] is not None else default_limit(product)
        if variant_id is not None:
            line = variant_line(
                line_id=line_id,
                product=product,
                variant_id=variant_id,
                sku=v_sku,
                price=v_price,
                stock=v_stock,
                variant_active=v_active,
                quantity=quantity,
                limit=limit,
            )
        else:
            decoded = options_field.from_db_value(c_options, None, db)  # type: ignore[arg-type]
            line = configured_line(
                line_id=line_id,
                product=product,
                configured_id=configured_id,
                sku=c_sku,
                unit=Money.of(c_price, c_currency),
                options=dict(decoded or {}),
                quantity=quantity,
                limit=limit,
            )
        priced.append(line)
    return priced


def priced_lines(*, cart: Cart | None) -> list[PricedLine]:
    return price_lines(cart_lines(cart=cart)) if cart is not None else []


def cart_quote(*, cart: Cart | None, delivery: str | None = None) -> Quote:
    # The checkout's one plain SELECT on PostgreSQL: compiling the ORM's JOIN cost more CPU than the
    # database spent answering it (GET /api/v1/cart, docs/ordering.md "Session 5").
    return quote(checkout_lines(cart=cart) if cart is not None else [], delivery=delivery)


def item_count(*, cart: Cart | None) -> int:
    if cart is None:
        return 0
    return int(CartLine.objects.filter(cart=cart).aggregate(n=Sum("quantity"))["n"] or 0)


def usual_quantity(*, user_id: int | None, product: Any) -> int | None:
    """The most of ``product`` this customer put in one order before (their ordered carts), else the
    most of any one item of its category; None without such history (guests, first purchases)."""
    if user_id is None:
        return None
    same_product = Q(variant__product_id=product.pk) | Q(configured_sku__product_id=product.pk)
    same_category = Q(variant__product__category_id=product.category_id) | Q(
        configured_sku__product__category_id=product.category_id
    )
    found = CartLine.objects.filter(cart__user_id=user_id, cart__status=Cart.Status.ORDERED).aggregate(
        product=Max("quantity", filter=same_product), category=Max("quantity", filter=same_category)
    )
    return found["product"] or found["category"] or None
