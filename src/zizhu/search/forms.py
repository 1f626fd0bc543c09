"""Reading listing parameters (query string of a page or the API) into ``ProductFilters``.

Unknown or malformed values never fail the page: a malformed price is reported next to its
field and ignored, unknown brands, categories or attribute values simply match nothing,
page numbers and page sizes are clamped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.http import QueryDict
from django.utils.translation import gettext as _

from zizhu.search.selectors import DEFAULT_PAGE_SIZE, MAX_FILTER_VALUES, MAX_PRICE, SORTS, ProductFilters

MAX_SLUG = 120
_NOT_SLUG = re.compile(r"[^-\w]")


def clean_slug(raw: str, length: int = MAX_SLUG) -> str:
    """Slugs and codes only have letters, digits, "-" and "_" (NUL, spaces, quotes are dropped)."""
    return _NOT_SLUG.sub("", str(raw))[:length]


def parse_slugs(values: Iterable[str]) -> tuple[str, ...]:
    found: list[str] = []
    for raw in values:
        for part in str(raw).split(","):
            slug = clean_slug(part)
            if slug and slug not in found:
                found.append(slug)
    return tuple(found[:MAX_FILTER_VALUES])


def parse_attributes(values: Iterable[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``["colour:black", "colour:white", "memory:256gb"]`` → ``(("colour", ("black", "white")), ...)``."""
    grouped: dict[str, list[str]] = {}
    for raw in values:
        code, sep, value = str(raw).partition(":")
        code, value = clean_slug(code, 40), clean_slug(value, 40)
        if not sep or not code or not value:
            continue
        chosen = grouped.setdefault(code, [])
        if value not in chosen and len(chosen) < MAX_FILTER_VALUES:
            chosen.append(value)
    return tuple((code, tuple(sorted(vals))) for code, vals in sorted(grouped.items())[:MAX_FILTER_VALUES])


def parse_price(raw: str | None) -> Decimal | None:
    """A price a person typed ("199", "19.90", "¥ 19.9"), or ``None``; ``ValueError`` when it is not one."""
    cleaned = (raw or "").strip().replace("¥", "").replace("￥", "").replace(",", "").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(cleaned) from None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        raise ValueError(cleaned)
    return value.quantize(Decimal("0.01"))


def parse_int(raw: str | None, default: int) -> int:
    try:
        return int(str(raw).strip()[:9]) if raw not in (None, "") else default
    except ValueError:
        return default


@dataclass
class ListingRequest:
    filters: ProductFilters
    sort: str = "relevance"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    errors: dict[str, str] = field(default_factory=dict)


def from_query_dict(params: QueryDict, *, category: str = "") -> ListingRequest:
    errors: dict[str, str] = {}
    prices: dict[str, Decimal | None] = {}
    for name in ("min_price", "max_price"):
        try:
            prices[name] = parse_price(params.get(name))
        except ValueError:
            prices[name] = None
            errors[name] = _("Enter a price in yuan, for example 199 or 19.90.")
    low, high = prices["min_price"], prices["max_price"]
    if low is not None and high is not None and low > high:
        low, high = high, low
    sort = params.get("sort", "relevance")
    filters = ProductFilters(
        q=(params.get("q") or "")[:1000],
        category=clean_slug(category or params.get("category") or ""),
        brands=parse_slugs(params.getlist("brand")),
        min_price=low,
        max_price=high,
        in_stock=params.get("in_stock") in ("1", "true", "on", "yes"),
        attributes=parse_attributes(params.getlist("attr")),
    )
    return ListingRequest(
        filters=filters,
        sort=sort if sort in SORTS else "relevance",
        page=parse_int(params.get("page"), 1),
        page_size=parse_int(params.get("page_size"), DEFAULT_PAGE_SIZE),
        errors=errors,
    )
