"""Search reads: the product listing (text, filters, facets, sort, pages), suggestions, corrections.

``list_products`` runs a fixed number of queries whatever the page size: categories (1),
attribute names (1), a count with in-stock and price statistics (1), the page (1), its
images (1), brand facet (1), category facet (1), attribute facets (1 + 1 per attribute
with a selected value), plus 1 for the typo vocabulary when the query has a Latin word of
four or more letters. Only an empty result costs more (any-word retry, correction, popular items).

Facets are disjunctive: each facet is counted with every filter applied except its own,
so ticking a second brand shows how many more products it adds.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Length
from django.utils.translation import get_language

from zizhu.catalog.models import Attribute, Category, ProductImage, pick
from zizhu.core.money import Money
from zizhu.search import pg_listing, text
from zizhu.search.backends import get_backend
from zizhu.search.models import (
    SearchCategoryLink,
    SearchEntry,
    SearchFacetName,
    SearchFacetValue,
    SearchSuggestion,
    SearchTermVariant,
)
from zizhu.search.services import ensure_dictionary, index_version
from zizhu.search.vocabulary import correct_query, expand_typos

SORTS = ("relevance", "price_asc", "price_desc", "sales", "newest")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 60
MAX_PAGE = 500
MAX_FILTER_VALUES = 20
MAX_BRAND_FACETS = 30
MAX_VALUE_FACETS = 30
POPULAR_COUNT = 8
# Listings are cached under the index version (a change to any entry makes new keys at once).
# ZIZHU_SEARCH_CACHE_SECONDS=0 turns the cache off (the benchmark measures both).
CACHE_SECONDS = int(os.environ.get("ZIZHU_SEARCH_CACHE_SECONDS", "300"))
MAX_PRICE = Decimal("9999999999.99")

__all__ = ["SORTS", "ProductFilters", "ProductListing", "list_products", "popular_products", "suggest"]


@dataclass(frozen=True)
class ProductFilters:
    q: str = ""
    category: str = ""
    brands: tuple[str, ...] = ()
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # ((code, (value, ...)), ...)

    def attribute_map(self) -> dict[str, tuple[str, ...]]:
        return dict(self.attributes)

    def cache_key(self) -> str:
        raw = repr(
            (text.clean_query(self.q), self.category, self.brands, self.min_price, self.max_price, self.in_stock)
        ) + repr(self.attributes)
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


@dataclass
class ProductListing:
    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int
    pages: int
    sort: str
    facets: dict[str, Any]
    query: str = ""
    corrected_query: str | None = None
    matched_any_word: bool = False
    category: dict[str, Any] | None = None
    breadcrumbs: list[dict[str, Any]] = field(default_factory=list)
    popular: list[dict[str, Any]] = field(default_factory=list)
    unknown_category: bool = False


LEVELS = 4  # SearchEntry.level0 … level3 hold the category path; deeper trees use SearchCategoryLink


def _entry_filter_parts(filters: ProductFilters, category: Category | None, level: int) -> dict[str, Q | Exists]:
    parts: dict[str, Q | Exists] = {}
    if category is not None:
        parts["category"] = (
            Q(**{f"level{level}": category.pk})
            if level < LEVELS
            else Exists(SearchCategoryLink.objects.filter(entry=OuterRef("pk"), category_id=category.pk))
        )
    if filters.brands:
        parts["brand"] = Q(brand__slug__in=filters.brands)
    if filters.min_price is not None or filters.max_price is not None:
        price = Q()
        if filters.min_price is not None:
            price &= Q(price__gte=filters.min_price)
        if filters.max_price is not None:
            price &= Q(price__lte=filters.max_price)
        parts["price"] = price
    if filters.in_stock:
        parts["stock"] = Q(in_stock=True)
    for code, values in filters.attributes:
        parts[f"attr:{code}"] = Exists(
            SearchFacetValue.objects.filter(entry=OuterRef("pk"), attribute=code, value__in=values)
        )
    return parts


def _apply(queryset: QuerySet[SearchEntry], parts: dict[str, Q | Exists], *, without: Sequence[str] = ()) -> QuerySet:
    for name, condition in parts.items():
        if name not in without:
            queryset = queryset.filter(condition)
    return queryset


def _order(sort: str, has_text: bool) -> list[str]:
    return {
        "price_asc": ["price", "pk"],
        "price_desc": ["-price", "pk"],
        "sales": ["-sales_count", "pk"],
        "newest": ["-created_at", "pk"],
    }.get(sort, ["-relevance", "-sales_count", "pk"] if has_text else ["-sales_count", "pk"])


_ITEM_FIELDS = (
    "pk",
    "slug",
    "name_zh",
    "name_en",
    "price",
    "currency",
    "in_stock",
    "sales_count",
    "brand__slug",
    "brand__name",
    "brand__name_en",
)


def _items(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Plain dicts for the page and the API, each with its first image (one query for the page)."""
    ids = [row["pk"] for row in rows if "_image" not in row]
    images: dict[int, tuple[str, str, str]] = {row["pk"]: row["_image"] for row in rows if row.get("_image")}
    if ids:
        for product_id, path, alt_zh, alt_en in (
            ProductImage.objects.filter(product_id__in=ids)
            .order_by("product_id", "position", "id")
            .values_list("product_id", "image", "alt_zh", "alt_en")
        ):
            images.setdefault(product_id, (path, alt_zh, alt_en))
    from django.core.files.storage import default_storage

    items = []
    for row in rows:
        name = pick(row["name_zh"], row["name_en"])
        image = images.get(row["pk"])
        items.append(
            {
                "id": row["pk"],
                "slug": row["slug"],
                "name": name,
                "price": Money.of(row["price"], row["currency"]).as_dict(),
                "price_display": str(Money.of(row["price"], row["currency"])),
                "in_stock": row["in_stock"],
                "sales_count": row["sales_count"],
                "brand": pick(row["brand__name"] or "", row["brand__name_en"] or "") if row["brand__slug"] else "",
                "brand_slug": row["brand__slug"] or "",
                "image": default_storage.url(image[0]) if image and image[0] else "",
                "image_alt": (pick(image[1], image[2]) if image else "") or name,
            }
        )
    return items


def _category_dict(category: Category) -> dict[str, Any]:
    return {"slug": category.slug, "name": category.name, "id": category.pk}


def _facets(
    base: QuerySet[SearchEntry],
    parts: dict[str, Q | Exists],
    filters: ProductFilters,
    category: Category | None,
    depth: int,
    categories: dict[int, Category],
    stats: dict[str, Any],
) -> dict[str, Any]:
    brand_rows = (
        _apply(base, parts, without=["brand"])
        .exclude(brand__isnull=True)
        .values("brand__slug", "brand__name", "brand__name_en")
        .annotate(n=Count("pk"))
        .order_by("-n", "brand__slug")[:MAX_BRAND_FACETS]
    )
    brand_facets = [
        {"slug": r["brand__slug"], "name": r["brand__name"], "name_en": r["brand__name_en"], "n": r["n"]}
        for r in brand_rows
    ]
    matching = _apply(base, parts)
    if depth < LEVELS:
        column = f"level{depth}"
        category_rows = [
            {"category_id": row[column], "n": row["n"]}
            for row in matching.exclude(**{f"{column}__isnull": True}).values(column).annotate(n=Count("pk"))
        ]
    else:
        category_rows = list(
            SearchCategoryLink.objects.filter(depth=depth, entry__in=matching.values("pk"))
            .values("category_id")
            .annotate(n=Count("entry_id"))
        )
    attribute_map = filters.attribute_map()
    value_rows = _attribute_counts(matching, exclude=list(attribute_map))
    for code in attribute_map:
        value_rows.extend(_attribute_counts(_apply(base, parts, without=[f"attr:{code}"]), only=code))
    names = {
        (row.attribute, row.value): pick(row.name_zh, row.name_en)
        for row in SearchFacetName.objects.filter(attribute__in={r["attribute"] for r in value_rows})
    }
    attributes_by_code = {a.code: (a.position, a.pk, a.name) for a in Attribute.objects.all()}
    return _shape_facets(
        brand_facets, category_rows, value_rows, names, attributes_by_code, filters, category, categories, stats
    )


def _shape_facets(
    brand_rows: list[dict[str, Any]],
    category_rows: list[dict[str, Any]],
    value_rows: list[dict[str, Any]],
    names: dict[tuple[str, str], str],
    attributes_by_code: dict[str, tuple[int, int, str]],
    filters: ProductFilters,
    category: Category | None,
    categories: dict[int, Category],
    stats: dict[str, Any],
) -> dict[str, Any]:
    """The facets as pages and the API show them, from the counted rows of either backend."""
    selected_brands = set(filters.brands)
    brands = [
        {
            "slug": r["slug"],
            "name": pick(r["name"], r["name_en"]),
            "count": r["n"],
            "selected": r["slug"] in selected_brands,
        }
        for r in brand_rows
    ]
    shown = {b["slug"] for b in brands}
    brands.extend({"slug": s, "name": s, "count": 0, "selected": True} for s in filters.brands if s not in shown)

    category_facets = []
    for row in category_rows:
        child = categories.get(row["category_id"])
        if child is not None and child.is_active and (category is None or child.parent_id == category.pk):
            category_facets.append(
                {**_category_dict(child), "count": row["n"], "selected": False, "_pos": child.position}
            )
    category_facets.sort(key=lambda c: (c.pop("_pos"), c["id"]))

    attribute_map = filters.attribute_map()
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in value_rows:
        if row["attribute"] in attributes_by_code:
            grouped.setdefault(row["attribute"], []).append(
                {
                    "value": row["value"],
                    "name": names.get((row["attribute"], row["value"]), row["value"]),
                    "count": row["n"],
                    "selected": row["value"] in attribute_map.get(row["attribute"], ()),
                }
            )
    attributes: list[dict[str, Any]] = []
    for code in sorted(grouped, key=lambda c: attributes_by_code[c][:2]):
        values = sorted(grouped[code], key=lambda v: (-v["count"], v["name"]))
        attributes.append({"code": code, "name": attributes_by_code[code][2], "values": values[:MAX_VALUE_FACETS]})
    return {
        "categories": category_facets,
        "brands": brands,
        "attributes": attributes,
        "price": {
            "min": f"{stats['min_price']:.2f}" if stats["min_price"] is not None else None,
            "max": f"{stats['max_price']:.2f}" if stats["max_price"] is not None else None,
        },
        "in_stock": {"count": stats["stocked"], "selected": filters.in_stock},
    }


def _attribute_counts(
    matching: QuerySet[SearchEntry], *, exclude: Sequence[str] = (), only: str | None = None
) -> list[dict[str, Any]]:
    """How many matching entries have each attribute value: one query.

    PostgreSQL unnests the entries' ``facet_keys`` (no join); SQLite counts ``SearchFacetValue`` rows.
    """
    if connection.vendor != "postgresql":
        rows = SearchFacetValue.objects.filter(entry__in=matching.values("pk"))
        rows = rows.filter(attribute=only) if only else rows.exclude(attribute__in=list(exclude))
        return list(rows.values("attribute", "value").annotate(n=Count("entry_id")))
    inner, params = matching.values("facet_keys").query.sql_with_params()
    sql = (
        "SELECT key, COUNT(*) FROM (SELECT jsonb_array_elements_text(matched.facet_keys) AS key "  # noqa: S608
        f"FROM ({inner}) AS matched) AS keys GROUP BY key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    result = []
    for key, count in found:
        attribute, _sep, value = key.partition(":")
        if (only and attribute != only) or (not only and attribute in exclude):
            continue
        result.append({"attribute": attribute, "value": value, "n": count})
    return result


def _stats(base: QuerySet[SearchEntry], parts: dict[str, Q | Exists], filters: ProductFilters) -> dict[str, Any]:
    """One query: the total, the in-stock count (without the stock filter) and the price range."""
    price_q = parts.get("price", Q())
    stock_q = Q(in_stock=True) if filters.in_stock else Q()
    return _apply(base, parts, without=["price", "stock"]).aggregate(
        total=Count("pk", filter=price_q & stock_q),
        stocked=Count("pk", filter=price_q & Q(in_stock=True)),
        min_price=Min("price", filter=stock_q),
        max_price=Max("price", filter=stock_q),
    )


def _empty_facets(filters: ProductFilters) -> dict[str, Any]:
    return {
        "categories": [],
        "brands": [{"slug": s, "name": s, "count": 0, "selected": True} for s in filters.brands],
        "attributes": [],
        "price": {"min": None, "max": None},
        "in_stock": {"count": 0, "selected": filters.in_stock},
    }


def list_products(
    *, filters: ProductFilters, sort: str = "relevance", page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
) -> ProductListing:
    """One page of products matching ``filters``, with facets. Out-of-range input is clamped."""
    sort = sort if sort in SORTS else "relevance"
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    page = max(1, min(int(page), MAX_PAGE))
    if CACHE_SECONDS <= 0:
        return _list_products(filters, sort, page, page_size)
    key = f"search:list:{index_version()}:{get_language()}:{filters.cache_key()}:{sort}:{page}:{page_size}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    listing = _list_products(filters, sort, page, page_size)
    cache.set(key, listing, CACHE_SECONDS)
    return listing


def _list_products(filters: ProductFilters, sort: str, page: int, page_size: int) -> ProductListing:
    all_categories = {c.pk: c for c in Category.objects.all()}
    by_slug = {c.slug: c for c in all_categories.values()}
    category = by_slug.get(filters.category) if filters.category else None
    breadcrumbs: list[dict[str, Any]] = []
    depth = 0
    if category is not None:
        chain: list[Category] = []
        current: Category | None = category
        while current is not None and current not in chain and len(chain) < 20:
            chain.append(current)
            current = all_categories.get(current.parent_id) if current.parent_id else None
        breadcrumbs = [_category_dict(c) for c in reversed(chain)]
        depth = len(chain)
    if (filters.category and category is None) or (category is not None and not category.is_active):
        return ProductListing(
            items=[], total=0, page=1, page_size=page_size, pages=1, sort=sort, facets=_empty_facets(filters),
            query=text.clean_query(filters.q), unknown_category=True,
        )  # fmt: skip

    parsed = text.parse_query(filters.q, ensure_dictionary()) if filters.q else text.ParsedQuery("", [])
    if parsed:
        expand_typos(parsed)
    backend = get_backend()
    if connection.vendor == "postgresql":
        return _list_products_pg(filters, sort, page, page_size, parsed, category, depth, all_categories, breadcrumbs)
    parts = _entry_filter_parts(filters, category, depth - 1)
    any_word = False
    base: QuerySet[SearchEntry] = SearchEntry.objects.all()
    if parsed:
        base = backend.match(SearchEntry.objects.all(), parsed)
    elif filters.q.strip():
        base = SearchEntry.objects.none()  # only symbols, emoji or control characters: nothing to look for
    stats = _stats(base, parts, filters)
    if stats["total"] == 0 and len(parsed.terms) > 1:
        any_word = True
        base = backend.match(SearchEntry.objects.all(), parsed, any_term=True)
        stats = _stats(base, parts, filters)
    total = stats["total"]
    pages = max(1, -(-total // page_size))
    page = min(page, pages)
    listing = ProductListing(
        items=[], total=total, page=page, page_size=page_size, pages=pages, sort=sort, facets=_empty_facets(filters),
        query=parsed.text, corrected_query=parsed.corrected_text(), matched_any_word=any_word,
        category=_category_dict(category) if category else None, breadcrumbs=breadcrumbs,
    )  # fmt: skip
    if total == 0:
        if parsed and not listing.corrected_query:
            listing.corrected_query = correct_query(parsed)
        listing.popular = popular_products()
        return listing
    ranked = backend.with_relevance(base, parsed, any_term=any_word) if parsed and sort == "relevance" else base
    ordered = _apply(ranked, parts).order_by(*_order(sort, bool(parsed)))
    offset = (page - 1) * page_size
    listing.items = _items(list(ordered.values(*_ITEM_FIELDS)[offset : offset + page_size]))
    listing.facets = _facets(base, parts, filters, category, depth, all_categories, stats)
    return listing


def _list_products_pg(
    filters: ProductFilters,
    sort: str,
    page: int,
    page_size: int,
    parsed: text.ParsedQuery,
    category: Category | None,
    depth: int,
    categories: dict[int, Category],
    breadcrumbs: list[dict[str, Any]],
) -> ProductListing:
    """PostgreSQL: the match runs once and everything is counted from it, in one statement."""
    backend = get_backend()
    request = pg_listing.Request(
        tsquery=backend.compile(parsed) if parsed else None,
        category_id=category.pk if category else None,
        category_level=depth - 1,
        child_depth=depth,
        brands=filters.brands,
        min_price=filters.min_price,
        max_price=filters.max_price,
        in_stock=filters.in_stock,
        attributes=filters.attributes,
        sort=sort,
        offset=(page - 1) * page_size,
        limit=page_size,
    )
    any_word = False
    empty = bool(filters.q.strip()) and not parsed  # only symbols, emoji or control characters
    result = None if empty else pg_listing.run(request)
    if result is not None and result.stats["total"] == 0 and len(parsed.terms) > 1:
        any_word = True
        request = replace(request, tsquery=backend.compile(parsed, any_term=True))
        result = pg_listing.run(request)
    total = result.stats["total"] if result is not None else 0
    pages = max(1, -(-total // page_size))
    listing = ProductListing(
        items=[], total=total, page=min(page, pages), page_size=page_size, pages=pages, sort=sort,
        facets=_empty_facets(filters), query=parsed.text, corrected_query=parsed.corrected_text(),
        matched_any_word=any_word, category=_category_dict(category) if category else None, breadcrumbs=breadcrumbs,
    )  # fmt: skip
    if result is None or total == 0:
        if parsed and not listing.corrected_query:
            listing.corrected_query = correct_query(parsed)
        listing.popular = popular_products()
        return listing
    rows = result.rows
    if listing.page != page:  # past the end: the last page (one more statement, without facets)
        rows = pg_listing.run(replace(request, offset=(listing.page - 1) * page_size, with_facets=False)).rows
    listing.items = _items(rows)
    value_rows = [{"attribute": r["code"], "value": r["value"], "n": r["n"]} for r in result.attributes]
    names = {
        (r["code"], r["value"]): pick(r["name_zh"], r["name_en"] or "")
        for r in result.attributes
        if r["name_zh"] is not None
    }
    attributes_by_code = {
        r["code"]: (r["position"], r["attribute_id"], pick(r["attribute_zh"], r["attribute_en"]))
        for r in result.attributes
    }
    category_rows = [{"category_id": r["id"], "n": r["n"]} for r in result.categories]
    listing.facets = _shape_facets(
        result.brands, category_rows, value_rows, names, attributes_by_code, filters, category, categories,
        result.stats,
    )  # fmt: skip
    return listing


def popular_products(limit: int = POPULAR_COUNT) -> list[dict[str, Any]]:
    """Best sellers in stock (for the no-results page)."""
    rows = SearchEntry.objects.filter(in_stock=True).order_by("-sales_count", "pk").values(*_ITEM_FIELDS)[:limit]
    return _items(list(rows))


def suggest(q: str | None, *, limit: int = 8) -> list[dict[str, str]]:
    """Categories, brands and products whose name, pinyin or initials start with what was typed."""
    key = text.clean_query(q).lower().replace(" ", "")
    if not key or len(key) > 50:
        return []
    rows = (
        SearchSuggestion.objects.filter(key__startswith=key)
        .order_by("-weight", Length("label_zh"), "kind", "target")
        .values_list("kind", "target", "label_zh", "label_en")[: limit * 4]
    )
    found: dict[tuple[str, str], dict[str, str]] = {}
    for kind, target, label_zh, label_en in rows:
        if (kind, target) not in found:
            found[(kind, target)] = {"kind": kind, "slug": target, "label": pick(label_zh, label_en)}
        if len(found) >= limit:
            break
    return list(found.values())


def known_terms(words: Sequence[str]) -> set[str]:
    """Which of ``words`` are in the vocabulary (used by tests and the admin)."""
    return set(
        SearchTermVariant.objects.filter(variant__in=words, term__term__in=words).values_list("variant", flat=True)
    )


def with_filters(filters: ProductFilters, **changes: Any) -> ProductFilters:
    return replace(filters, **changes)
