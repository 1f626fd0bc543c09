"""Search index services: the only code that writes the search tables.

``index_products`` (re)indexes products from ``zizhu.catalog.selectors.search_documents``:
inactive or deleted products lose their entry. It is called by the outbox handlers in
``events.py`` (``catalog.product.changed`` / ``catalog.product.deleted``), by
``manage.py rebuild_search_index`` and by the demo seeder. Each chunk is one transaction.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from zizhu.catalog.models import AttributeValue, Brand, Category
from zizhu.catalog.selectors import search_documents
from zizhu.search import text
from zizhu.search.backends import get_backend
from zizhu.search.models import (
    SearchCategoryLink,
    SearchDocument,
    SearchEntry,
    SearchFacetName,
    SearchFacetSet,
    SearchFacetValue,
    SearchSuggestion,
    SearchTerm,
    SearchTermVariant,
)

CHUNK = 500
VERSION_KEY = "search:index-version"
WORDS_KEY = "search:words-version"
CATEGORY_WEIGHT = 2_000_000_000  # categories and brands are suggested before products
BRAND_WEIGHT = 1_000_000_000
MIN_TERM_CHARS = 3

Progress = Callable[[int], None]


# --- versions (cache keys that change whenever the index or the dictionary does) ------------------------------


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, int(timezone.now().timestamp() * 1000), None)


def _changed() -> None:
    """Invalidate cached listings now and again at commit (a reader in between may have cached old rows)."""
    _bump(VERSION_KEY)
    transaction.on_commit(lambda: _bump(VERSION_KEY))


def index_version() -> int:
    """Changes whenever any entry changes: part of every cached listing's key."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = int(timezone.now().timestamp() * 1000)
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return int(version)


def catalogue_words() -> list[str]:
    """The catalogue's own words for the segmenter: brands, categories, attribute values."""
    words: list[str] = []
    for name, name_en in Brand.objects.values_list("name", "name_en"):
        words.extend([name, name_en])
    words.extend(Category.objects.values_list("name_zh", flat=True))
    words.extend(AttributeValue.objects.values_list("name_zh", flat=True))
    return words


def ensure_dictionary() -> text.Segmenter:
    """The process's segmenter, with the catalogue's words loaded (again when another process added some)."""
    seg = text.segmenter()
    current = cache.get(WORDS_KEY)
    if seg.version is None or (current is not None and current != seg.version):
        seg.add_words(catalogue_words())
        seg.version = current if current is not None else "loaded"
    return seg


# --- building one entry ---------------------------------------------------------------------------------------


def _boost(in_stock: bool, sales: int) -> float:
    return (1.3 if in_stock else 1.0) * (1.0 + 0.05 * math.log1p(max(sales, 0)))


MAX_LEVELS = 4  # SearchEntry.level0 … level3


def _entry(doc: dict[str, Any], seg: text.Segmenter, now: Any) -> tuple[SearchEntry, SearchDocument]:
    name, name_subs = text.field_tokens([doc["name_zh"], doc.get("name_en") or ""], seg)
    brand, brand_subs = text.field_tokens([doc.get("brand") or "", doc.get("brand_en") or ""], seg)
    category, category_subs = text.field_tokens(doc.get("category_path") or [], seg)
    attributes = doc.get("attributes") or []
    body = text.index_tokens([*attributes, doc.get("description_zh") or "", doc.get("description_en") or ""], seg)
    stronger = set(name) | set(brand) | set(category)
    extra = [t for t in dict.fromkeys(name_subs + brand_subs + category_subs) if t not in stronger]
    sales = int(doc.get("sales_count") or 0)
    levels = list(doc.get("category_ids") or [doc["category_id"]])[:MAX_LEVELS]
    levels += [None] * (MAX_LEVELS - len(levels))
    entry = SearchEntry(
        product_id=doc["id"],
        slug=doc["slug"],
        name_zh=doc["name_zh"][:200],
        name_en=(doc.get("name_en") or "")[:200],
        brand_id=doc.get("brand_id") or None,
        category_id=doc["category_id"],
        level0=levels[0],
        level1=levels[1],
        level2=levels[2],
        level3=levels[3],
        facet_keys=sorted(
            {f"{str(v['attribute'])[:40]}:{str(v['value'])[:40]}" for v in doc.get("attribute_values") or []}
        ),
        price=Decimal(doc["price"]),
        currency=doc.get("currency") or "CNY",
        in_stock=bool(doc["in_stock"]),
        sales_count=sales,
        boost=_boost(bool(doc["in_stock"]), sales),
        created_at=doc["created_at"],
        indexed_at=now,
    )
    document = SearchDocument(
        entry_id=doc["id"],
        name_text=" ".join(name),
        brand_text=" ".join(brand),
        category_text=" ".join(category),
        body_text=" ".join(dict.fromkeys(extra + body)),
    )
    return entry, document


def _vocabulary(doc: dict[str, Any], seg: text.Segmenter) -> dict[str, str]:
    """Latin words and pinyin of the name, brand and category, each with what a correction shows."""
    found: dict[str, str] = {}
    sources = [doc["name_zh"], doc.get("name_en") or "", doc.get("brand") or "", doc.get("brand_en") or ""]
    sources.extend(doc.get("category_path") or [])
    for source in sources:
        for token in seg.cut(text.clean(source)):
            if text.has_han(token):
                if len(token) >= 2:
                    full, _initials = text.pinyin_forms(token)
                    if len(full) >= MIN_TERM_CHARS:
                        found.setdefault(full[:60], token[:100])
            elif text.is_latin_word(token) and MIN_TERM_CHARS <= len(token) <= 60:
                found.setdefault(token, token)
    return found


def _suggestions(doc: dict[str, Any], categories: dict[int, Category]) -> list[SearchSuggestion]:
    rows: list[SearchSuggestion] = []
    for name in dict.fromkeys([doc["name_zh"], doc.get("name_en") or ""]):
        for key in text.suggestion_keys(name):
            rows.append(
                SearchSuggestion(
                    key=key,
                    kind=SearchSuggestion.Kind.PRODUCT,
                    target=doc["slug"],
                    label_zh=doc["name_zh"][:200],
                    label_en=(doc.get("name_en") or "")[:200],
                    weight=int(doc.get("sales_count") or 0),
                    entry_id=doc["id"],
                )
            )
    if doc.get("brand_slug"):
        for name in dict.fromkeys([doc.get("brand") or "", doc.get("brand_en") or ""]):
            for key in text.suggestion_keys(name):
                rows.append(
                    SearchSuggestion(
                        key=key,
                        kind=SearchSuggestion.Kind.BRAND,
                        target=doc["brand_slug"],
                        label_zh=(doc.get("brand") or "")[:200],
                        label_en=(doc.get("brand_en") or "")[:200],
                        weight=BRAND_WEIGHT,
                    )
                )
    for category_id in doc.get("category_ids") or []:
        category = categories.get(category_id)
        if category is None:
            continue
        for name in dict.fromkeys([category.name_zh, category.name_en]):
            for key in text.suggestion_keys(name):
                rows.append(
                    SearchSuggestion(
                        key=key,
                        kind=SearchSuggestion.Kind.CATEGORY,
                        target=category.slug,
                        label_zh=category.name_zh,
                        label_en=category.name_en,
                        weight=CATEGORY_WEIGHT,
                    )
                )
    return rows


# --- writing ------------------------------------------------------------------------------------------------------

_ENTRY_FIELDS = [f.name for f in SearchEntry._meta.concrete_fields if f.name != "product"]
# The entry's listing columns copied to its document (see SearchDocument).
LISTING_COPY = [
    "brand_id", "price", "in_stock", "sales_count", "boost", "created_at",
    "level0", "level1", "level2", "level3", "facet_set_id",
]  # fmt: skip
_DOCUMENT_FIELDS = ["name_text", "brand_text", "category_text", "body_text", *LISTING_COPY]


def _save_terms(vocabulary: Counter[str], display: dict[str, str], *, replace_weights: bool) -> None:
    if not vocabulary:
        return
    existing = dict(SearchTerm.objects.filter(term__in=list(vocabulary)).values_list("term", "pk"))
    new_terms = [
        SearchTerm(term=term, display=display[term], weight=count)
        for term, count in vocabulary.items()
        if term not in existing
    ]
    SearchTerm.objects.bulk_create(new_terms, ignore_conflicts=True, batch_size=1000)
    if replace_weights and existing:
        updates = [SearchTerm(pk=pk, weight=vocabulary[term]) for term, pk in existing.items()]
        SearchTerm.objects.bulk_update(updates, ["weight"], batch_size=1000)
    if new_terms:
        ids = dict(SearchTerm.objects.filter(term__in=[t.term for t in new_terms]).values_list("term", "pk"))
        variants = [
            SearchTermVariant(variant=variant, term_id=term_id)
            for term, term_id in ids.items()
            for variant in text.deletes(term)
        ]
        SearchTermVariant.objects.bulk_create(variants, ignore_conflicts=True, batch_size=2000)


def facet_digest(keys: list[str]) -> str:
    return hashlib.md5("\n".join(keys).encode(), usedforsecurity=False).hexdigest()


def _link_facet_sets(entries: list[SearchEntry]) -> None:
    """Point each entry at the shared row of its facet keys (created when new): two queries."""
    wanted = {facet_digest(entry.facet_keys): entry.facet_keys for entry in entries}
    SearchFacetSet.objects.bulk_create(
        [SearchFacetSet(digest=digest, keys=keys) for digest, keys in wanted.items()], ignore_conflicts=True
    )
    ids = dict(SearchFacetSet.objects.filter(digest__in=list(wanted)).values_list("digest", "pk"))
    for entry in entries:
        entry.facet_set_id = ids[facet_digest(entry.facet_keys)]


def _write_chunk(
    docs: list[dict[str, Any]],
    categories: dict[int, Category],
    seg: text.Segmenter,
    vocabulary: Counter[str],
    display: dict[str, str],
) -> None:
    now = timezone.now()
    built = [_entry(doc, seg, now) for doc in docs]
    ids = [entry.product_id for entry, _document in built]
    _link_facet_sets([entry for entry, _document in built])
    for entry, document in built:
        for name in LISTING_COPY:
            setattr(document, name, getattr(entry, name))
    SearchEntry.objects.bulk_create(
        [entry for entry, _document in built],
        update_conflicts=True,
        unique_fields=["product"],
        update_fields=_ENTRY_FIELDS,
        batch_size=500,
    )
    SearchDocument.objects.bulk_create(
        [document for _entry_row, document in built],
        update_conflicts=True,
        unique_fields=["entry"],
        update_fields=_DOCUMENT_FIELDS,
        batch_size=500,
    )
    SearchCategoryLink.objects.filter(entry_id__in=ids).delete()
    SearchFacetValue.objects.filter(entry_id__in=ids).delete()
    SearchSuggestion.objects.filter(entry_id__in=ids).delete()
    links, facets, suggestions = [], [], []
    for doc in docs:
        for depth, category_id in enumerate(doc.get("category_ids") or [doc["category_id"]]):
            links.append(SearchCategoryLink(entry_id=doc["id"], category_id=category_id, depth=depth))
        seen: set[tuple[str, str]] = set()
        for value in doc.get("attribute_values") or []:
            key = (str(value["attribute"])[:40], str(value["value"])[:40])
            if key not in seen:
                seen.add(key)
                facets.append(
                    SearchFacetValue(
                        entry_id=doc["id"],
                        attribute=key[0],
                        value=key[1],
                        name_zh=(value.get("name_zh") or key[1])[:200],
                        name_en=(value.get("name_en") or "")[:200],
                    )
                )
        suggestions.extend(_suggestions(doc, categories))
        for term, shown in _vocabulary(doc, seg).items():
            vocabulary[term] += 1
            display.setdefault(term, shown)
    SearchCategoryLink.objects.bulk_create(links, batch_size=2000)
    SearchFacetValue.objects.bulk_create(facets, batch_size=2000)
    names = {(f.attribute, f.value): f for f in facets}
    SearchFacetName.objects.bulk_create(
        [SearchFacetName(attribute=a, value=v, name_zh=f.name_zh, name_en=f.name_en) for (a, v), f in names.items()],
        update_conflicts=True,
        unique_fields=["attribute", "value"],
        update_fields=["name_zh", "name_en"],
        batch_size=1000,
    )
    unique = {(s.kind, s.target, s.key): s for s in suggestions}
    SearchSuggestion.objects.bulk_create(list(unique.values()), ignore_conflicts=True, batch_size=2000)
    get_backend().write(ids)


def _learn_words(docs: list[dict[str, Any]], seg: text.Segmenter) -> None:
    words: list[str] = []
    for doc in docs:
        words.extend([doc.get("brand") or "", doc.get("brand_en") or ""])
        words.extend(doc.get("category_path") or [])
        words.extend(doc.get("attributes") or [])
    before = seg.size
    seg.add_words(words)
    if seg.size != before:
        transaction.on_commit(lambda: _bump(WORDS_KEY))


def _with_brand_ids(docs: Iterator[dict[str, Any]], brands: dict[str, int]) -> Iterator[dict[str, Any]]:
    for doc in docs:
        doc.setdefault("brand_id", brands.get(doc.get("brand_slug") or ""))
        yield doc


def index_products(*, product_ids: Iterable[int] | None = None, progress: Progress | None = None) -> int:
    """(Re)index the given products (all when ``None``). Products no longer on sale are removed.

    Returns the number of products indexed.
    """
    seg = ensure_dictionary()
    categories = {c.pk: c for c in Category.objects.all()}
    brands = dict(Brand.objects.values_list("slug", "pk"))
    wanted = None if product_ids is None else sorted({int(pk) for pk in product_ids})
    full = wanted is None
    vocabulary: Counter[str] = Counter()
    display: dict[str, str] = {}
    indexed: set[int] = set()
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        with transaction.atomic():
            _learn_words(chunk, seg)
            _write_chunk(chunk, categories, seg, vocabulary, display)
            if not full:
                _save_terms(vocabulary, display, replace_weights=False)
                vocabulary.clear()
        indexed.update(doc["id"] for doc in chunk)
        if progress:
            progress(len(chunk))
        chunk.clear()

    for doc in _with_brand_ids(search_documents(wanted), brands):
        chunk.append(doc)
        if len(chunk) >= CHUNK:
            flush()
    if chunk:
        flush()
    with transaction.atomic():
        if full:
            _save_terms(vocabulary, display, replace_weights=True)
        gone = (
            list(SearchEntry.objects.exclude(pk__in=indexed).values_list("pk", flat=True))
            if full
            else [pk for pk in wanted or [] if pk not in indexed]
        )
        if gone:
            remove_products(product_ids=gone)
        _changed()
    return len(indexed)


def remove_products(*, product_ids: Iterable[int]) -> int:
    """Drop products from the index (deleted or no longer on sale)."""
    ids = sorted({int(pk) for pk in product_ids})
    if not ids:
        return 0
    with transaction.atomic():
        get_backend().delete(ids)
        deleted = SearchEntry.objects.filter(pk__in=ids).delete()[1].get("search.SearchEntry", 0)
        _changed()
    return deleted


def rebuild_index(*, progress: Progress | None = None, bulk: bool | None = None) -> int:
    """Forget everything and index the whole active catalogue again.

    On PostgreSQL the set-based rebuild (``search.bulk``: COPY, worker processes, one
    transaction) does it; ``bulk=False`` forces the chunk-by-chunk path (SQLite always uses it).
    """
    if bulk is None:
        bulk = connection.vendor == "postgresql"
    if bulk:
        from zizhu.search import bulk as bulk_index  # it builds on this module's entry builders

        return bulk_index.rebuild(progress=progress)
    with transaction.atomic():
        get_backend().clear()
        SearchSuggestion.objects.all().delete()
        SearchTermVariant.objects.all().delete()
        SearchTerm.objects.all().delete()
        SearchEntry.objects.all().delete()
        SearchFacetSet.objects.all().delete()
    return index_products(progress=progress)
