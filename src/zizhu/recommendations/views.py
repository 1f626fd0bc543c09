"""Recommendation fragments, loaded into pages by HTMX after the page itself (so a page never waits
for them and renders the same when no model has been trained yet), and the "hide" action."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from zizhu.accounts.views import safe_next
from zizhu.catalog.models import Product
from zizhu.recommendations import selectors, services

LIST_LENGTH = 8


@require_GET
def for_you(request: HttpRequest) -> HttpResponse:
    """The home page's "for you": the personal list, or best sellers before there is one."""
    customer = request.user if request.user.is_authenticated else None
    rows = selectors.for_you(customer=customer, limit=LIST_LENGTH) if customer else []
    cards = [(row.product, row.explanation) for row in rows]
    personal = bool(cards)
    if not cards:
        cards = [(product, None) for product in selectors.popular_products(customer=customer, limit=LIST_LENGTH)]
    return render(request, "recommendations/for_you.html", {"cards": cards, "personal": personal})


@require_GET
def related(request: HttpRequest, product_id: int) -> HttpResponse:
    """A product page's "similar items" and "frequently bought together"."""
    product = get_object_or_404(Product, pk=product_id, is_active=True)
    customer = request.user if request.user.is_authenticated else None
    similar = selectors.similar_items(product=product, customer=customer, limit=LIST_LENGTH)
    together = selectors.bought_together(product=product, customer=customer, limit=LIST_LENGTH)
    context = {
        "product": product,
        "similar": [(row.product, row.explanation) for row in similar],
        "together": [(row.product, row.explanation) for row in together],
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
