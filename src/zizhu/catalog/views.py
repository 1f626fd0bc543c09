"""Catalogue pages: product page (variants, configurator, favourite), the category index,
favourites and history (a category's own page, with facets, is the search app's).
Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zizhu.accounts.views import safe_next
from zizhu.catalog import configurator, selectors, services
from zizhu.catalog.models import Product
from zizhu.catalog.owners import is_new_guest, owner_for
from zizhu.core.errors import DomainError
from zizhu.core.pagecache import CSRF_SLOT, personalise

PAGE_CACHE_SECONDS = 300
FAVOURITE_SLOT = "<!--zizhu:favourite-->"
LIST_PAGE_SIZE = 30
OPTION_PREFIX = "opt-"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _product_or_404(slug: str = "", row: selectors.PageRow | None = None) -> Product:
    product = selectors.get_product_for_page(slug=slug[:120], row=row)
    if product is None:
        raise Http404(_("We could not find this product."))
    return product


def _selection(data: Any) -> dict[str, str]:
    return {
        key[len(OPTION_PREFIX) :][:40]: str(value)[:40]
        for key, value in data.items()
        if key.startswith(OPTION_PREFIX) and len(key) < 60
    }


def _is_favourite(request: HttpRequest, product: Product) -> bool:
    return selectors.is_favourite(owner=owner_for(request), product=product)


def _product_context(request: HttpRequest, product: Product, **extra: Any) -> dict[str, Any]:
    categories = {c.pk: c for c in selectors.all_categories()}
    variants = list(product.variants.all())
    wanted_sku = request.GET.get("sku", "")[:64]
    chosen = next((v for v in variants if v.sku == wanted_sku), None)
    if chosen is None:
        chosen = next((v for v in variants if v.in_stock), variants[0] if variants else None)
    context = {
        "product": product,
        "breadcrumbs": selectors.category_ancestors(product.category, categories),
        "images": list(product.images.all()),
        "variants": variants,
        "chosen_variant": chosen,
        "price": selectors.product_price(product),
        "price_varies": product.is_configurable or len({v.price for v in variants}) > 1,
        "in_stock": selectors.product_in_stock(product),
        "delivery_date": selectors.estimated_delivery(product),
        "is_favourite": False if "favourite_placeholder" in extra else _is_favourite(request, product),
        "evaluation": configurator.evaluate(product) if product.is_configurable else None,
    }
    context.update(extra)
    return context


def _page_for_anyone(request: HttpRequest) -> bool:
    """A visitor whose whole page is the same as anyone's but for the CSRF token and the favourite
    button: no session (so not signed in, no cart, no messages kept there), no messages cookie, no
    query string (the layout's links carry the path)."""
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and not request.META.get("QUERY_STRING")
    )


@require_GET
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The product page. Its body is cached per product version, current prices and stock,
    language, delivery day and chosen variant; the parts that belong to one visitor (CSRF
    token, favourite button) are put in on every request. For a visitor without a session the
    whole page (layout included) is cached the same way, per elder mode."""
    row = selectors.product_page_row(slug=slug[:120])
    if row is None:
        raise Http404(_("We could not find this product."))
    # a first-time visitor gets a guest key in a signed cookie: no session is made for a product view
    owner = owner_for(request, create=True, in_cookie=True)
    if not _is_htmx(request):  # the variant picker's live updates are not new views
        services.record_view(
            owner=owner, product_id=row.pk, context={"source": "page"}, new_guest=is_new_guest(request)
        )
    chosen = row.sku_variant(request.GET.get("sku", "")[:64])
    key = ":".join(
        [
            "catalog:page:v3",
            str(row.pk),
            str(row.updated_at.timestamp()),
            row.fingerprint(),
            get_language() or "",
            selectors.estimated_delivery(days=row.delivery_days).isoformat(),
            str(chosen),
        ]
    )
    whole = _page_for_anyone(request)
    if whole:
        key += ":page:" + ("elder" if getattr(request, "elder_mode", False) else "standard")
    cached = cache.get(key)
    if cached is None:
        cached = _render_cached_parts(request, row, whole=whole)
        cache.set(key, cached, PAGE_CACHE_SECONDS)
    html, not_favourite, favourite = cached
    # a guest key made just now has no favourites: no query
    is_favourite = not is_new_guest(request) and selectors.is_favourite(owner=owner, product=row.pk)
    html = personalise(html.replace(FAVOURITE_SLOT, favourite if is_favourite else not_favourite), request)
    if whole:
        return HttpResponse(html)
    product = _product_or_404(row=row)
    return render(request, "catalog/product_detail.html", {"product": product, "body": mark_safe(html)})  # noqa: S308


def _render_cached_parts(request: HttpRequest, row: selectors.PageRow, *, whole: bool) -> tuple[str, str, str]:
    """The product body (or the whole page) with slots for the CSRF token and the favourite button, and
    both states of the button: per request only the visitor's state is picked (no template rendered for
    it) and their CSRF token put in."""
    product = _product_or_404(row=row)
    context = _product_context(request, product, favourite_placeholder=FAVOURITE_SLOT, csrf_token=CSRF_SLOT)
    buttons = [
        render_to_string(
            "catalog/partials/favourite_button.html",
            {"product": product, "is_favourite": state, "csrf_token": CSRF_SLOT},
        )
        for state in (False, True)
    ]
    html = render_to_string("catalog/partials/product_body.html", context)
    if whole:  # the layout too: values given here override the context processors' (the CSRF token's)
        page = {"product": product, "body": mark_safe(html), "csrf_token": CSRF_SLOT}  # noqa: S308
        html = render_to_string("catalog/product_detail.html", page, request)
    return html, buttons[0], buttons[1]


@require_POST
def configure(request: HttpRequest, slug: str) -> HttpResponse:
    """Live configurator (HTMX posts every change here) and the final confirmation.

    Without JavaScript the same form posts here and gets the whole page back.
    """
    product = _product_or_404(slug)
    if not product.is_configurable:
        raise Http404(_("This product is not built to order."))
    selection = _selection(request.POST)
    evaluation = configurator.evaluate(product, selection)
    configured = None
    error = ""
    if request.POST.get("action") == "save":
        try:
            configured = services.configure_product(product=product, options=selection)
        except DomainError as exc:
            error = str(exc.message)
    extra = {"evaluation": evaluation, "configured": configured, "config_error": error}
    if _is_htmx(request):
        context = {"product": product, **extra}
        return render(request, "catalog/partials/configurator_update.html", context)
    status = 422 if error else 200
    return render(request, "catalog/product_detail.html", _product_context(request, product, **extra), status=status)


@require_POST
def toggle_favourite(request: HttpRequest, slug: str) -> HttpResponse:
    product = _product_or_404(slug)
    owner = owner_for(request, create=True)
    assert owner is not None  # create=True always gives an owner (a session exists on every page)
    try:
        now_favourite = services.toggle_favourite(owner=owner, product=product)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(reverse("catalog:product", args=[product.slug]))
    message = _("Added to your favourites.") if now_favourite else _("Removed from your favourites.")
    if _is_htmx(request):
        context = {"product": product, "is_favourite": now_favourite, "favourite_message": message}
        return render(request, "catalog/partials/favourite_update.html", context)
    messages.success(request, message)
    return redirect(safe_next(request, reverse("catalog:product", args=[product.slug])))


@require_GET
def category_index(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/category_index.html", {"tree": selectors.category_tree()})


@require_GET
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Only reached when the search app does not serve /c/<slug>/ (it does, see config/urls.py):
    the site search filtered to the category."""
    return redirect(reverse("storefront:search") + "?" + urlencode({"category": slug[:80]}))


@require_GET
def favourites(request: HttpRequest) -> HttpResponse:
    owner = owner_for(request)
    rows, total = selectors.list_favourites(owner=owner, limit=LIST_PAGE_SIZE) if owner else ([], 0)
    return render(request, "catalog/favourites.html", {"rows": rows, "total": total})


@require_GET
def history(request: HttpRequest) -> HttpResponse:
    services.flush_recorded_activity(wait=True)  # the latest views may still be queued
    owner = owner_for(request)
    rows, total = selectors.list_history(owner=owner, limit=LIST_PAGE_SIZE) if owner else ([], 0)
    return render(request, "catalog/history.html", {"rows": rows, "total": total})


@require_POST
def clear_history(request: HttpRequest) -> HttpResponse:
    owner = owner_for(request)
    if owner is not None:
        services.clear_history(owner=owner)
    messages.success(request, _("Your browsing history is cleared."))
    return redirect("catalog:history")
