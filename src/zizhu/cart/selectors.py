"""Read queries for carts: the cart with its lines, priced from the catalogue (fixed query count)."""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from zizhu.cart.models import Cart, CartLine
from zizhu.cart.pricing import PricedLine, Quote, price_lines, quote


def cart_lines(*, cart: Cart | None) -> QuerySet[CartLine]:
    if cart is None:
        return CartLine.objects.none()
    return CartLine.objects.filter(cart=cart).select_related("variant__product", "configured_sku__product")


def priced_lines(*, cart: Cart | None) -> list[PricedLine]:
    return price_lines(cart_lines(cart=cart)) if cart is not None else []


def cart_quote(*, cart: Cart | None, delivery: str | None = None) -> Quote:
    return quote(priced_lines(cart=cart), delivery=delivery)


def item_count(*, cart: Cart | None) -> int:
    if cart is None:
        return 0
    return int(CartLine.objects.filter(cart=cart).aggregate(n=Sum("quantity"))["n"] or 0)
