"""Where results lead (product, brand, category URLs) and recording each search as behaviour."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from zizhu.core.money import Money

logger = logging.getLogger(__name__)


def product_url(slug: str) -> str:
    try:
        return reverse("catalog:product", kwargs={"slug": slug})
    except NoReverseMatch:
        return f"/p/{slug}/"


def category_url(slug: str) -> str:
    return reverse("search:category", kwargs={"slug": slug})


def brand_url(slug: str) -> str:
    return reverse("storefront:search") + "?" + urlencode({"brand": slug})


def suggestion_url(suggestion: dict[str, str]) -> str:
    kind, slug = suggestion["kind"], suggestion["slug"]
    if kind == "category":
        return category_url(slug)
    if kind == "brand":
        return brand_url(slug)
    return product_url(slug)


def with_urls(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**item, "url": product_url(item["slug"])} for item in items]


def with_live_prices(items: list[dict[str, Any]], live: dict[int, tuple[Decimal, bool]]) -> list[dict[str, Any]]:
    """The items with their current price and stock (``catalog.selectors.live_prices``) instead of the index's
    copy, which follows the catalogue a moment later; an item the catalogue no longer sells keeps the copy."""
    shown = []
    for item in items:
        state = live.get(item["id"])
        if state is None:
            shown.append(item)
            continue
        money = Money.of(state[0], item["price"]["currency"])
        shown.append({**item, "price": money.as_dict(), "price_display": str(money), "in_stock": state[1]})
    return shown


def record_search(request: HttpRequest, *, query: str, total: int, page: int, sort: str) -> None:
    """A behaviour event for the recommender (written after the response; never fails the page)."""
    if not query:
        return
    try:
        from zizhu.catalog.owners import owner_for
        from zizhu.catalog.services import record_behaviour

        record_behaviour(
            event_type="search",
            owner=owner_for(request, create=False),
            query=query,
            context={"results": total, "page": page, "sort": sort},
        )
    except Exception:  # recording is best effort: the customer still gets the results
        logger.exception("Could not record a search")
