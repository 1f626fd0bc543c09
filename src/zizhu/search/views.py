"""Search pages: results (the header's search box), category pages and the suggestion list (HTMX)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zizhu.catalog.selectors import live_prices
from zizhu.core import pagecache
from zizhu.core.pagecache import CSRF_SLOT
from zizhu.search import forms, selectors
from zizhu.search.links import (
    brand_url,
    category_url,
    record_search,
    suggestion_url,
    with_live_prices,
    with_urls,
)
from zizhu.search.services import index_version
from zizhu.storefront.help_topics import search_topics

SORT_LABELS = {
    "relevance": gettext_lazy("Best match"),
    "sales": gettext_lazy("Best selling"),
    "price_asc": gettext_lazy("Price: low to high"),
    "price_desc": gettext_lazy("Price: high to low"),
    "newest": gettext_lazy("Newest"),
}


def _sort_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in SORT_LABELS.items()]


def _query_string(params: list[tuple[str, str]], **changes: Any) -> str:
    kept = [(k, v) for k, v in params if k not in changes and v != ""]
    for key, value in changes.items():
        if value not in (None, ""):
            kept.append((key, str(value)))
    return "?" + urlencode(kept) if kept else ""


def _page_links(params: list[tuple[str, str]], page: int, pages: int) -> list[dict[str, Any]]:
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links: list[dict[str, Any]] = []
    previous = 0
    for number in shown:
        if number - previous > 1:
            links.append({"gap": True})
        links.append({"number": number, "url": _query_string(params, page=number), "current": number == page})
        previous = number
    return links


def _title(listing: selectors.ProductListing) -> str:
    if listing.category:
        return str(listing.category["name"])
    if listing.query:
        return _("Search: %(query)s") % {"query": listing.query}
    return _("All products")


def _content(request: HttpRequest, category: str) -> tuple[dict[str, Any], str] | None:
    """Run the listing and render its main content (no personal data but the CSRF slot).

    Returns the facts kept with it (title, query, the page's product ids, the search event)
    and the HTML; ``None`` for an unknown category.
    """
    parsed = forms.from_query_dict(request.GET, category=category)
    listing = selectors.list_products(
        filters=parsed.filters, sort=parsed.sort, page=parsed.page, page_size=parsed.page_size
    )
    if category and listing.unknown_category:
        return None
    live = live_prices(item["id"] for item in listing.items + listing.popular)
    items, popular = (
        with_live_prices(with_urls(listing.items), live),
        with_live_prices(with_urls(listing.popular), live),
    )
    params = [(k, v[:1000]) for k, values in request.GET.lists() for v in values if k != "page"][:60]
    others = [(k, v) for k, v in params if k != "category"]
    topics = search_topics(listing.query) if listing.query else []
    context = {
        "listing": listing,
        "items": items,
        "popular": popular,
        "filters": parsed.filters,
        "query": listing.query,
        "errors": parsed.errors,
        "form_values": {
            "min_price": request.GET.get("min_price", "")[:20],
            "max_price": request.GET.get("max_price", "")[:20],
        },
        "sort_choices": _sort_choices(),
        "page_links": _page_links(params, listing.page, listing.pages) if listing.pages > 1 else [],
        "previous_url": _query_string(params, page=listing.page - 1) if listing.page > 1 else "",
        "next_url": _query_string(params, page=listing.page + 1) if listing.page < listing.pages else "",
        "corrected_url": _query_string([], q=listing.corrected_query) if listing.corrected_query else "",
        "topics": topics,
        "offer_elder_mode": any(topic.slug == "elder-mode" for topic in topics),
        "elder_mode": getattr(request, "elder_mode", False),
        "current_path": request.get_full_path(),
        "csrf_token": CSRF_SLOT,
        "category_links": [
            {
                **c,
                "url": category_url(c["slug"]) + _query_string(others)
                if category
                else _query_string(others, category=c["slug"]),
            }
            for c in listing.facets["categories"]
        ],
        "breadcrumbs": [{**c, "url": category_url(c["slug"])} for c in listing.breadcrumbs],
        "form_action": request.path,
        "hidden_category": "" if category else parsed.filters.category,
    }
    facts = {
        "title": _title(listing),
        "query": listing.query,
        "ids": [item["id"] for item in items + popular],
        "prices": _price_digest(live),
        "event": {"query": listing.query, "total": listing.total, "page": listing.page, "sort": listing.sort},
    }
    return facts, render_to_string("search/partials/listing_content.html", context)


def _price_digest(live: dict[int, tuple[Any, bool]]) -> str:
    return repr(sorted(live.items()))


def _listing_page(request: HttpRequest, *, category: str = "") -> HttpResponse:
    """A listing page. Its main content is cached whole under the index version, the language,
    elder mode and the full path; the shown products' prices and stock are read live on every
    request (one query) and are part of the key, so a change shows at once even before the
    index has followed. The layout around it (header, CSRF token, cart) is the visitor's own."""
    key = ""
    if selectors.CACHE_SECONDS > 0:
        elder = bool(getattr(request, "elder_mode", False))
        key = pagecache.key("search:page:v1", index_version(), get_language(), elder, request.get_full_path())
        cached = cache.get(key)
        if cached is not None:
            facts, html = cached
            if _price_digest(live_prices(facts["ids"])) == facts["prices"]:
                return _respond(request, facts, html)
    built = _content(request, category)
    if built is None:
        raise Http404(_("There is no such category."))
    if key:
        cache.set(key, built, selectors.CACHE_SECONDS)
    return _respond(request, *built)


def _respond(request: HttpRequest, facts: dict[str, Any], html: str) -> HttpResponse:
    record_search(request, **facts["event"])
    context = {"content": mark_safe(pagecache.personalise(html, request)), "page_title": facts["title"]}  # noqa: S308
    return render(request, "search/results.html", {**context, "query": facts["query"]})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The header's search box: products (with facets) and matching help topics."""
    return _listing_page(request)


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    return _listing_page(request, category=slug)


@require_GET
def browse_redirect(request: HttpRequest, slug: str) -> HttpResponse:
    """/browse/<slug>/ was the category page's first address: moved for good to /c/<slug>/."""
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(category_url(slug) + (f"?{query}" if query else ""))


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    suggestions = [{**s, "url": suggestion_url(s)} for s in selectors.suggest(request.GET.get("q", "")[:1000])]
    return render(request, "search/partials/suggestions.html", {"suggestions": suggestions})


__all__ = ["brand_url", "browse_redirect", "category", "search", "suggest"]
