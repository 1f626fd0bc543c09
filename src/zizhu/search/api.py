"""Search API: the product list with filters and facets, and suggestions while typing.

Mounted at ``/api/v1/catalog/products`` (the list) and ``/api/v1/search`` (suggestions).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zizhu.catalog.selectors import live_prices
from zizhu.core.api_errors import ErrorOut
from zizhu.search import forms, selectors
from zizhu.search.links import record_search, suggestion_url, with_live_prices, with_urls

products_router = Router(tags=["catalog"])
search_router = Router(tags=["search"])


class MoneyOut(Schema):
    amount: str = Field(..., examples=["1999.00"])
    currency: str = Field(..., examples=["CNY"])


class ProductItemOut(Schema):
    id: int
    slug: str
    name: str
    price: MoneyOut
    in_stock: bool
    brand: str
    brand_slug: str
    image: str = Field(..., description="URL of the first image, empty when there is none")
    image_alt: str
    sales_count: int
    url: str


class CategoryFacetOut(Schema):
    slug: str
    name: str
    count: int
    selected: bool


class BrandFacetOut(Schema):
    slug: str
    name: str
    count: int
    selected: bool


class ValueFacetOut(Schema):
    value: str
    name: str
    count: int
    selected: bool


class AttributeFacetOut(Schema):
    code: str
    name: str
    values: list[ValueFacetOut]


class PriceFacetOut(Schema):
    min: str | None
    max: str | None


class StockFacetOut(Schema):
    count: int
    selected: bool


class FacetsOut(Schema):
    categories: list[CategoryFacetOut] = Field(..., description="Sub-categories of the chosen one (or top level)")
    brands: list[BrandFacetOut]
    attributes: list[AttributeFacetOut]
    price: PriceFacetOut
    in_stock: StockFacetOut


class ProductListOut(Schema):
    items: list[ProductItemOut]
    total: int
    page: int
    page_size: int
    pages: int
    sort: str
    facets: FacetsOut
    query: str = Field(..., description="The query as it was searched (cleaned, at most 100 characters)")
    corrected_query: str | None = Field(None, description="A suggested correction (did you mean…)")
    matched_any_word: bool = Field(False, description="No product had every word; these have some of them")
    popular: list[ProductItemOut] = Field([], description="Best sellers, offered when nothing matched")


class SuggestionOut(Schema):
    kind: Literal["product", "brand", "category"]
    slug: str
    label: str
    url: str


Sort = Literal["relevance", "price_asc", "price_desc", "sales", "newest"]


class ProductQuery(Schema):
    q: str = Field("", description="Chinese, English, pinyin (shouji) or initials (sj); at most 100 characters count")
    category: str = Field("", max_length=120, description="Category slug; its sub-categories are included")
    brand: list[str] = Field([], description="Brand slugs; repeat or separate with commas")
    min_price: Decimal | None = Field(None, ge=0, le=selectors.MAX_PRICE)
    max_price: Decimal | None = Field(None, ge=0, le=selectors.MAX_PRICE)
    in_stock: bool = False
    attr: list[str] = Field([], description="Attribute values as code:value, e.g. colour:black (repeatable)")
    sort: Sort = "relevance"
    page: int = Field(1, description="Pages past the end show the last page")
    page_size: int = Field(selectors.DEFAULT_PAGE_SIZE, description=f"At most {selectors.MAX_PAGE_SIZE}")


@products_router.get("", response={200: ProductListOut, 422: ErrorOut})
def list_products(request: HttpRequest, params: Query[ProductQuery]):
    """Products with text search (Chinese, pinyin, initials, typos), filters, facets, sort and pages."""
    low, high = params.min_price, params.max_price
    if low is not None and high is not None and low > high:
        low, high = high, low
    filters = selectors.ProductFilters(
        q=params.q[:1000],
        category=forms.clean_slug(params.category),
        brands=forms.parse_slugs(params.brand),
        min_price=low,
        max_price=high,
        in_stock=params.in_stock,
        attributes=forms.parse_attributes(params.attr),
    )
    page = max(1, min(params.page, selectors.MAX_PAGE))
    listing = selectors.list_products(
        filters=filters, sort=params.sort, page=page, page_size=max(1, min(params.page_size, 1000))
    )
    record_search(request, query=listing.query, total=listing.total, page=listing.page, sort=listing.sort)
    live = live_prices(item["id"] for item in listing.items + listing.popular)  # a change shows at once
    return {
        **listing.__dict__,
        "items": with_live_prices(with_urls(listing.items), live),
        "popular": with_live_prices(with_urls(listing.popular), live),
    }


@search_router.get("/suggest", response={200: list[SuggestionOut], 422: ErrorOut})
def suggest(request: HttpRequest, q: str = ""):
    """Categories, brands and products starting with what was typed (text, pinyin or initials)."""
    return [{**s, "url": suggestion_url(s)} for s in selectors.suggest(q[:1000])]
