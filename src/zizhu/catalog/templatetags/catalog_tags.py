"""Template helpers for catalogue cards and the home page's category section."""

from __future__ import annotations

from typing import Any

from django import template

from zizhu.catalog import selectors
from zizhu.catalog.models import Product

register = template.Library()


@register.simple_tag
def product_price(product: Product) -> str:
    """The lowest price a customer can pay, formatted (``¥1,999.00``)."""
    return str(selectors.product_price(product))


@register.filter
def in_stock(product: Product) -> bool:
    return selectors.product_in_stock(product)


@register.inclusion_tag("catalog/partials/home_categories.html")
def home_categories() -> dict[str, Any]:
    """The top-level categories with their sub-categories (one query)."""
    return {"tree": selectors.category_tree()}
