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
from zizhu.recommendations import selectors, services, sizes

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
    """The signed-in customer's personal list; until one is trained for them, the best sellers of the
    categories they looked at ("popular in 手机"), then of the shop (``model_version`` null)."""
    rows = selectors.for_you(customer=request.user, limit=query.limit)
    if rows:
        return _rows_out(rows)
    picks = selectors.cold_start(customer=request.user, limit=query.limit)
    return {"items": [_item(p.product, p.reason, p.explanation) for p in picks], "model_version": None}


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


class SizeAdviceOut(Schema):
    size: str | None = Field(None, examples=["M"], description="null: no advice (no sizes, or too few purchases)")
    attribute: str | None = Field(None, examples=["size"], description="size or shoe-size")
    basis: str | None = Field(None, examples=["brand"], description="brand, category or parent_category")
    basis_name: str | None = None
    purchases: int = 0
    sku: str | None = Field(None, description="a variant of this product in that size")
    message: str = Field(..., examples=["根据您的购买记录，M 码最适合您。"])


class SizeFeedbackIn(Schema):
    order_line: int = Field(..., ge=1, le=2**31 - 1)
    verdict: str = Field(..., examples=["too_small"], description="too_small, too_large or fits")


class SizeFeedbackOut(Schema):
    order_line: int
    verdict: str


@recommendations_router.get(
    "/size-advice/{slug}", auth=user_auth, response={200: SizeAdviceOut, 401: ErrorOut, 404: ErrorOut}
)
def size_advice(request: HttpRequest, slug: str):
    """Which size of this product fits me, from the sizes I kept (per brand where I bought enough of it)."""
    product = _product(slug[:120])
    advice = sizes.size_advice(customer=request.user, product=product)
    if advice is None:
        return {"message": _("We cannot advise a size yet: too few of your purchases have sizes like this.")}
    return {
        "size": advice.size.name,
        "attribute": advice.attribute_code,
        "basis": advice.basis,
        "basis_name": advice.basis_name,
        "purchases": advice.purchases,
        "sku": advice.sku,
        "message": advice.message,
    }


@recommendations_router.post(
    "/size-feedback", auth=user_auth, response={201: SizeFeedbackOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def size_feedback(request: HttpRequest, payload: SizeFeedbackIn):
    """How a size I bought fitted (too_small / too_large / fits): moves my size advice."""
    row = services.record_size_feedback(
        customer=request.user, order_line_id=payload.order_line, verdict=payload.verdict
    )
    return Status(201, {"order_line": row.order_line_id, "verdict": row.verdict})
