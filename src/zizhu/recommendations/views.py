"""Recommendation fragments, loaded into pages by HTMX after the page itself (so a page never waits
for them and renders the same when no model has been trained yet), and the "hide" action."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from zizhu.accounts.views import safe_next
from zizhu.catalog.models import Product
from zizhu.recommendations import selectors, services, sizes

LIST_LENGTH = 8
MAX_CART_PRODUCTS = 20


@require_GET
def for_you(request: HttpRequest) -> HttpResponse:
    """The home page's "for you": the personal list, or best sellers before there is one."""
    return render(request, "recommendations/for_you.html", _for_you_context(request))


def _for_you_context(request: HttpRequest) -> dict[str, Any]:
    """The personal list; before one is trained for the customer, the cold-start picks (popular in the
    categories they looked at, then overall); for a guest, the best sellers."""
    customer = request.user if request.user.is_authenticated else None
    rows = selectors.for_you(customer=customer, limit=LIST_LENGTH) if customer else []
    cards = [(row.product, row.explanation) for row in rows]
    if not cards and customer is not None:
        cards = [
            (pick.product, pick.explanation) for pick in selectors.cold_start(customer=customer, limit=LIST_LENGTH)
        ]
    personal = bool(cards) and customer is not None
    if not cards:
        cards = [(product, None) for product in selectors.popular_products(customer=customer, limit=LIST_LENGTH)]
    return {"cards": cards, "personal": personal}


@require_GET
def cart_suggestions(request: HttpRequest) -> HttpResponse:
    """The cart page's "for you" and "frequently bought together" (with the cart's products), each
    card with a one-click add form posting to the cart."""
    product_ids = [int(pid) for pid in request.GET.getlist("p")[:MAX_CART_PRODUCTS] if pid.isdigit()]
    customer = request.user if request.user.is_authenticated else None
    in_cart = set(product_ids)
    together = [
        (row.product, row.explanation)
        for row in selectors.bought_together_many(product_ids=product_ids, customer=customer, limit=LIST_LENGTH)
        if row.product_id not in in_cart
    ]
    shown = in_cart | {product.pk for product, _why in together}
    context = _for_you_context(request)
    context["cards"] = [(product, why) for product, why in context["cards"] if product.pk not in shown][:LIST_LENGTH]
    cards = context["cards"]
    skus = selectors.one_click_skus(products=[product for product, _why in together + cards])
    context["together"] = [(product, why, skus.get(product.pk)) for product, why in together]
    context["cards"] = [(product, why, skus.get(product.pk)) for product, why in cards]
    context["next"] = reverse("cart:cart")
    return render(request, "recommendations/cart_suggestions.html", context)


@require_GET
def size_advice(request: HttpRequest, product_id: int) -> HttpResponse:
    """The product page's size advice for the signed-in customer (empty when there is none)."""
    product = get_object_or_404(Product.objects.select_related("category"), pk=product_id, is_active=True)
    advice = sizes.size_advice(customer=request.user, product=product) if request.user.is_authenticated else None
    return render(request, "recommendations/size_advice.html", {"advice": advice, "product": product})


@require_GET
def related(request: HttpRequest, product_id: int) -> HttpResponse:
    """A product page's "similar items" and "frequently bought together"."""
    product = get_object_or_404(Product, pk=product_id, is_active=True)
    customer = request.user if request.user.is_authenticated else None
    similar = selectors.similar_items(product=product, customer=customer, limit=LIST_LENGTH)
    together = selectors.bought_together(product=product, customer=customer, limit=LIST_LENGTH)
    skus = selectors.one_click_skus(products=[row.product for row in together])
    context = {
        "product": product,
        "similar": [(row.product, row.explanation) for row in similar],
        "together": [(row.product, row.explanation, skus.get(row.product_id)) for row in together],
        "next": reverse("catalog:product", args=[product.slug]),
    }
    return render(request, "recommendations/related.html", context)


@login_required
@require_POST
def hide(request: HttpRequest, product_id: int) -> HttpResponse:
    """Hide an item from every list, for good."""
    product = get_object_or_404(Product, pk=product_id)
    services.hide_item(customer=request.user, product_id=product.pk)
    if request.headers.get("HX-Request"):
        return HttpResponse("")  # the card is removed in place
    return redirect(safe_next(request, "/"))
