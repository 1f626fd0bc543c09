"""Read queries for carts: the cart with its lines, priced from the catalogue (fixed query count)."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Q, QuerySet, Sum

from zizhu.cart.models import Cart, CartLine
from zizhu.cart.pricing import PricedLine, Quote, price_lines, quote


def cart_lines(*, cart: Cart | None) -> QuerySet[CartLine]:
    if cart is None:
        return CartLine.objects.none()
    # The purchase limit rides along (one-to-one, LEFT JOIN): pricing needs no extra query for it.
    return CartLine.objects.filter(cart=cart).select_related(
        "variant__product__purchase_limit", "configured_sku__product__purchase_limit"
    )


def priced_lines(*, cart: Cart | None) -> list[PricedLine]:
    return price_lines(cart_lines(cart=cart)) if cart is not None else []


def cart_quote(*, cart: Cart | None, delivery: str | None = None) -> Quote:
    return quote(priced_lines(cart=cart), delivery=delivery)


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
