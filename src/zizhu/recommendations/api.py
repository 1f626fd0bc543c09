"""Recommendations API: the stored lists (one query each) and hiding items. No logic here."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from zizhu.accounts.auth import user_auth
from zizhu.catalog.models import Product
from zizhu.core.api_errors import ErrorOut
from zizhu.core.errors import NotFound
from zizhu.core.money import Money
from zizhu.recommendations import selectors, services

recommendations_router = Router(tags=["recommendations"])
SLUG = Field(..., max_length=120, pattern=r"^[-a-zA-Z0-9_]+$")


class MoneyOut(Schema):
    amount: str = Field(..., examples=["19.90"])
    currency: str = Field(..., examples=["CNY"])


class RecommendedOut(Schema):
    id: int
    slug: str
    name: str
    price: MoneyOut
    reason: str = Field(..., examples=["because_bought"])
    explanation: str = Field(..., examples=["因为您买过星河 手机"])


class RecommendedListOut(Schema):
    items: list[RecommendedOut]
    model_version: int | None = Field(None, description="the training run that made the list; null: fallback")


class HideIn(Schema):
    product: str = SLUG


class LimitIn(Schema):
    limit: int = Field(12, ge=1, le=24)


def _item(product: Product, reason: str, explanation: str) -> dict[str, Any]:
    return {
        "id": product.pk,
        "slug": product.slug,
        "name": product.name,
        "price": Money.of(product.price, product.currency).as_dict(),
        "reason": reason,
        "explanation": explanation,
    }


def _rows_out(rows: list[Any]) -> dict[str, Any]:
    return {
        "items": [_item(row.product, row.reason, row.explanation) for row in rows],
        "model_version": rows[0].version_id if rows else None,
    }


def _popular_out(customer: Any, limit: int) -> dict[str, Any]:
    products = selectors.popular_products(customer=customer, limit=limit)
    return {"items": [_item(p, "popular", _("Popular in our shop")) for p in products], "model_version": None}


def _product(slug: str) -> Product:
    product = Product.objects.filter(slug=slug, is_active=True).first()
    if product is None:
        raise NotFound(_("We could not find this product."))
    return product


@recommendations_router.get(
    "/for-you", auth=user_auth, response={200: RecommendedListOut, 401: ErrorOut, 422: ErrorOut}
)
def for_you(request: HttpRequest, query: Query[LimitIn]):
    """The signed-in customer's personal list; best sellers until a model has been trained for them."""
    rows = selectors.for_you(customer=request.user, limit=query.limit)
    return _rows_out(rows) if rows else _popular_out(request.user, query.limit)


@recommendations_router.get("/popular", response={200: RecommendedListOut, 422: ErrorOut})
def popular(request: HttpRequest, query: Query[LimitIn]):
    return _popular_out(request.user, query.limit)


@recommendations_router.get(
    "/products/{slug}/similar", response={200: RecommendedListOut, 404: ErrorOut, 422: ErrorOut}
)
def similar(request: HttpRequest, slug: str, query: Query[LimitIn]):
    rows = selectors.similar_items(product=_product(slug[:120]), customer=request.user, limit=query.limit)
    return _rows_out(rows)


@recommendations_router.get(
    "/products/{slug}/bought-together", response={200: RecommendedListOut, 404: ErrorOut, 422: ErrorOut}
)
def bought_together(request: HttpRequest, slug: str, query: Query[LimitIn]):
    rows = selectors.bought_together(product=_product(slug[:120]), customer=request.user, limit=query.limit)
    return _rows_out(rows)


@recommendations_router.post(
    "/hidden", auth=user_auth, response={204: None, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def hide(request: HttpRequest, payload: HideIn):
    """Never recommend this product to me again."""
    product = _product(payload.product)
    services.hide_item(customer=request.user, product_id=product.pk)
    return Status(204, None)


@recommendations_router.delete("/hidden", auth=user_auth, response={204: None, 401: ErrorOut, 422: ErrorOut})
def unhide(request: HttpRequest, payload: Query[HideIn]):
    """Allow a hidden product again (``?product=<slug>``); not hidden: still 204."""
    product = Product.objects.filter(slug=payload.product).first()
    if product is not None:
        services.unhide_item(customer=request.user, product_id=product.pk)
    return Status(204, None)
