"""Catalogue API: categories, product detail, the configurator, favourites and history.

The product list (``GET /catalog/products`` with search, filters and facets) belongs to
the search app and is mounted on the same prefix.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from zizhu.accounts.auth import user_auth
from zizhu.catalog import selectors, services
from zizhu.catalog.models import Category, Product
from zizhu.catalog.owners import Owner, owner_for
from zizhu.core.api_errors import ErrorOut
from zizhu.core.errors import InvalidInput, NotFound
from zizhu.core.money import Money

catalog_router = Router(tags=["catalog"])
favourites_router = Router(tags=["favourites"], auth=user_auth)
history_router = Router(tags=["history"], auth=user_auth)

SLUG = Field(..., max_length=120, pattern=r"^[-a-zA-Z0-9_]+$")


class MoneyOut(Schema):
    amount: str = Field(..., examples=["1999.00"])
    currency: str = Field(..., examples=["CNY"])


class CategoryOut(Schema):
    id: int
    slug: str
    name: str
    name_zh: str
    name_en: str
    children: list[CategoryOut] = []


class AttributeValueOut(Schema):
    attribute: str
    attribute_name: str
    value: str
    name: str


class VariantOut(Schema):
    sku: str
    price: MoneyOut
    stock: int
    in_stock: bool
    attributes: list[AttributeValueOut]


class OptionOut(Schema):
    code: str
    name: str
    price_delta: MoneyOut
    is_default: bool


class OptionGroupOut(Schema):
    code: str
    name: str
    required: bool
    options: list[OptionOut]


class RuleOut(Schema):
    kind: str
    option: str = Field(..., description="group:option")
    target: str = Field(..., description="group:option")
    message: str


class ImageOut(Schema):
    url: str
    alt: str
    width: int
    height: int


class BreadcrumbOut(Schema):
    slug: str
    name: str


class ProductDetailOut(Schema):
    id: int
    slug: str
    name: str
    name_zh: str
    name_en: str
    description: str
    brand: str | None
    category: BreadcrumbOut
    breadcrumbs: list[BreadcrumbOut]
    price: MoneyOut
    in_stock: bool
    is_configurable: bool
    estimated_delivery: date
    images: list[ImageOut]
    variants: list[VariantOut]
    option_groups: list[OptionGroupOut]
    rules: list[RuleOut]


class ConfigureIn(Schema):
    options: dict[str, str] = Field(..., description="option group code → option code", max_length=50)


class ConfiguredOut(Schema):
    sku: str
    price: MoneyOut
    options: dict[str, str]


class ProductCardOut(Schema):
    id: int
    slug: str
    name: str
    price: MoneyOut
    in_stock: bool
    image: ImageOut | None


class FavouriteOut(Schema):
    id: int
    product: ProductCardOut
    added_at: datetime


class FavouriteListOut(Schema):
    items: list[FavouriteOut]
    total: int


class FavouriteIn(Schema):
    # A slug's characters only: anything else (NUL, lone surrogates) is a 422, never a database error.
    product: str = Field(..., max_length=120, pattern=r"^[-a-zA-Z0-9_]+$", description="The product's slug")


class HistoryEntryOut(Schema):
    id: int
    product: ProductCardOut
    viewed_at: datetime


class HistoryListOut(Schema):
    items: list[HistoryEntryOut]
    total: int


CategoryOut.model_rebuild()


class PageIn(Schema):
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


class RemoveFavouriteIn(Schema):
    product: str = Field(..., max_length=120, pattern=r"^[-a-zA-Z0-9_]+$", description="The product's slug")


# --- shaping -------------------------------------------------------------------------------------------------


def _category_node(node: dict) -> dict:
    category: Category = node["category"]
    return {
        "id": category.pk,
        "slug": category.slug,
        "name": category.name,
        "name_zh": category.name_zh,
        "name_en": category.name_en,
        "children": [_category_node(child) for child in node["children"]],
    }


def _image(image) -> dict:
    return {"url": image.image.url, "alt": image.alt, "width": image.width, "height": image.height}


def product_detail(product: Product) -> dict:
    categories = {c.pk: c for c in selectors.all_categories()}
    path = selectors.category_ancestors(product.category, categories)
    options = {o.pk: (g.code, o.code) for g in product.option_groups.all() for o in g.options.all()}
    return {
        "id": product.pk,
        "slug": product.slug,
        "name": product.name,
        "name_zh": product.name_zh,
        "name_en": product.name_en,
        "description": product.description,
        "brand": product.brand.display_name if product.brand else None,
        "category": {"slug": product.category.slug, "name": product.category.name},
        "breadcrumbs": [{"slug": c.slug, "name": c.name} for c in path],
        "price": selectors.product_price(product).as_dict(),
        "in_stock": selectors.product_in_stock(product),
        "is_configurable": product.is_configurable,
        "estimated_delivery": selectors.estimated_delivery(product),
        "images": [_image(i) for i in product.images.all()],
        "variants": [
            {
                "sku": v.sku,
                "price": v.unit_price.as_dict(),
                "stock": v.stock,
                "in_stock": v.in_stock,
                "attributes": [
                    {
                        "attribute": link.attribute.code,
                        "attribute_name": link.attribute.name,
                        "value": link.value.code,
                        "name": link.value.name,
                    }
                    for link in v.variant_values.all()
                ],
            }
            for v in product.variants.all()
        ],
        "option_groups": [
            {
                "code": g.code,
                "name": g.name,
                "required": g.required,
                "options": [
                    {
                        "code": o.code,
                        "name": o.name,
                        "price_delta": Money.of(o.price_delta, product.currency).as_dict(),
                        "is_default": o.is_default,
                    }
                    for o in g.options.all()
                ],
            }
            for g in product.option_groups.all()
        ],
        "rules": [
            {
                "kind": r.kind,
                "option": ":".join(options[r.option_id]),
                "target": ":".join(options[r.target_id]),
                "message": r.message,
            }
            for r in product.rules.all()
            if r.option_id in options and r.target_id in options
        ],
    }


def product_card(product: Product) -> dict:
    images = list(product.images.all())
    return {
        "id": product.pk,
        "slug": product.slug,
        "name": product.name,
        "price": selectors.product_price(product).as_dict(),
        "in_stock": selectors.product_in_stock(product),
        "image": _image(images[0]) if images else None,
    }


def _product_or_404(slug: str) -> Product:
    product = selectors.get_product_for_page(slug=slug)
    if product is None:
        raise NotFound(_("We could not find this product."))
    return product


def _owner(request: HttpRequest) -> Owner:
    return Owner(user=request.user)


# --- catalogue ---------------------------------------------------------------------------------------------


@catalog_router.get("/categories", response={200: list[CategoryOut]})
def categories(request: HttpRequest):
    """The category tree (active categories), in display order."""
    return [_category_node(node) for node in selectors.category_tree()]


@catalog_router.get("/products/{slug}", response={200: ProductDetailOut, 404: ErrorOut, 422: ErrorOut})
def product(request: HttpRequest, slug: str):
    """One product with its images, variants (price and stock) and configurator option groups and rules."""
    found = _product_or_404(slug[:120])
    services.record_view(owner=owner_for(request), product_id=found.pk, context={"source": "api"})
    return product_detail(found)


@catalog_router.post("/products/{slug}/configure", response={200: ConfiguredOut, 404: ErrorOut, 422: ErrorOut})
def configure(request: HttpRequest, slug: str, payload: ConfigureIn):
    """Validate a configuration of a build-to-order product; a valid one becomes an orderable SKU.

    422 names the problem: an unknown choice or option, a missing required choice, or the broken rule.
    """
    found = _product_or_404(slug[:120])
    sku = services.configure_product(product=found, options=payload.options)
    return {"sku": sku.sku, "price": sku.unit_price.as_dict(), "options": sku.options}


# --- favourites --------------------------------------------------------------------------------------------


def _favourite_out(favourite) -> dict:
    return {"id": favourite.pk, "product": product_card(favourite.product), "added_at": favourite.created_at}


@favourites_router.get("", response={200: FavouriteListOut, 401: ErrorOut, 422: ErrorOut})
def list_favourites(request: HttpRequest, page: Query[PageIn]):
    rows, total = selectors.list_favourites(
        owner=_owner(request), offset=(page.page - 1) * page.page_size, limit=page.page_size
    )
    return {"items": [_favourite_out(f) for f in rows], "total": total}


@favourites_router.post("", response={200: FavouriteOut, 201: FavouriteOut, 401: ErrorOut, 422: ErrorOut})
def add_favourite(request: HttpRequest, payload: FavouriteIn):
    """Keep a product (by slug). Adding it again answers 200 with the existing favourite."""
    found = selectors.get_product_card(slug=payload.product)
    if found is None:
        message = _("There is no product with this name.")
        raise InvalidInput(message, fields={"product": [message]}, code="unknown_product")
    favourite, created = services.add_favourite(owner=_owner(request), product=found)
    favourite.product = found
    return Status(201 if created else 200, _favourite_out(favourite))


@favourites_router.delete("", response={204: None, 401: ErrorOut, 422: ErrorOut})
def remove_favourite_by_product(request: HttpRequest, query: Query[RemoveFavouriteIn]):
    """Forget the favourite of one product (``?product=<slug>``). Not a favourite: still 204."""
    found = Product.objects.filter(slug=query.product).first()
    if found is not None:
        services.remove_favourite(owner=_owner(request), product=found)
    return Status(204, None)


@favourites_router.delete("/{favourite_id}", response={204: None, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def remove_favourite(request: HttpRequest, favourite_id: int):
    """Forget one favourite by its id; another customer's id is not found."""
    services.remove_favourite(owner=_owner(request), favourite_id=favourite_id)
    return Status(204, None)


# --- history -----------------------------------------------------------------------------------------------


@history_router.get("", response={200: HistoryListOut, 401: ErrorOut, 422: ErrorOut})
def list_history(request: HttpRequest, page: Query[PageIn]):
    services.flush_recorded_activity(wait=True)  # the latest views may still be queued
    rows, total = selectors.list_history(
        owner=_owner(request), offset=(page.page - 1) * page.page_size, limit=page.page_size
    )
    return {
        "items": [{"id": e.pk, "product": product_card(e.product), "viewed_at": e.viewed_at} for e in rows],
        "total": total,
    }


@history_router.delete("", response={204: None, 401: ErrorOut})
def clear_history(request: HttpRequest):
    """Forget every product viewed."""
    services.clear_history(owner=_owner(request))
    return Status(204, None)


@history_router.delete("/{entry_id}", response={204: None, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def remove_history_entry(request: HttpRequest, entry_id: int):
    services.remove_history_entry(owner=_owner(request), entry_id=entry_id)
    return Status(204, None)
