# ruff: noqa: S608 - the SQL names fixed tables and columns; no customer value reaches it
"""A set-based full rebuild of the search index on PostgreSQL (``manage.py rebuild_search_index``).

``services.index_products`` indexes chunk by chunk through the ORM (bulk INSERT … ON CONFLICT,
one UPDATE for the vectors, deletes of the old links): right for the outbox's handful of
products, ~6 ms a product for a whole catalogue. A full rebuild instead

* reads the catalogue as plain values (``catalog.selectors.search_documents``: four queries
  per 500 products),
* segments the text (jieba, pinyin) in worker processes (``jobs``; the text pipeline is pure
  Python and holds the GIL), reusing the entry builders of ``services`` so both paths index
  a product the same way,
* and writes every table with ``COPY`` in one transaction: the old rows are deleted (not
  truncated), so the shop keeps searching the old index until the new one commits. The
  documents are copied into a temporary table and inserted with their vectors computed in
  the same statement (one write per row, instead of an INSERT and then an UPDATE).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from zizhu.catalog.models import Brand, Category, Option, Product
from zizhu.catalog.selectors import search_documents
from zizhu.search import services, text
from zizhu.search.backends import FIELD_WEIGHTS
from zizhu.search.models import SearchFacetName

Progress = Callable[[int], None]
CHUNK = 500

_ENTRY_COLUMNS = [
    "product_id", "slug", "name_zh", "name_en", "brand_id", "category_id", "price", "currency", "in_stock",
    "sales_count", "boost", "created_at", "level0", "level1", "level2", "level3", "facet_keys", "facet_set_id",
    "indexed_at",
]  # fmt: skip
_DOCUMENT_COLUMNS = ["entry_id", "name_text", "brand_text", "category_text", "body_text", *services.LISTING_COPY]
_SUGGESTION_COLUMNS = ["key", "kind", "target", "label_zh", "label_en", "weight", "entry_id"]
# Child tables first: every row here is derived from the catalogue.
_TABLES = [
    "search_searchsuggestion", "search_searchtermvariant", "search_searchterm", "search_searchfacetvalue",
    "search_searchcategorylink", "search_searchdocument", "search_searchentry", "search_searchfacetset",
]  # fmt: skip


@dataclass
class _Chunk:
    """What the workers send back for one chunk of products: rows ready for COPY."""

    entries: list[list[Any]] = field(default_factory=list)
    documents: list[list[Any]] = field(default_factory=list)
    facet_keys: list[list[str]] = field(default_factory=list)
    links: list[tuple[int, int, int]] = field(default_factory=list)
    facets: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    suggestions: list[tuple[Any, ...]] = field(default_factory=list)
    vocabulary: Counter[str] = field(default_factory=Counter)
    display: dict[str, str] = field(default_factory=dict)


# Set in the parent before the workers fork (they inherit it: nothing is pickled per chunk).
_CATEGORIES: dict[int, Category] = {}


def _build(docs: list[dict[str, Any]]) -> _Chunk:
    """Segment one chunk (in a worker): the same entries, documents and suggestions as ``index_products``."""
    seg = text.segmenter()
    now = timezone.now()
    out = _Chunk()
    for doc in docs:
        entry, document = services._entry(doc, seg, now)
        out.facet_keys.append(entry.facet_keys)
        out.entries.append([getattr(entry, name) for name in _ENTRY_COLUMNS])
        out.documents.append([getattr(document, name) for name in _DOCUMENT_COLUMNS[:5]] + [None] * 11)
        for depth, category_id in enumerate(doc.get("category_ids") or [doc["category_id"]]):
            out.links.append((doc["id"], category_id, depth))
        seen: set[tuple[str, str]] = set()
        for value in doc.get("attribute_values") or []:
            key = (str(value["attribute"])[:40], str(value["value"])[:40])
            if key not in seen:
                seen.add(key)
                names = ((value.get("name_zh") or key[1])[:200], (value.get("name_en") or "")[:200])
                out.facets.append((doc["id"], *key, *names))
        out.suggestions.extend(
            tuple(getattr(s, name) for name in _SUGGESTION_COLUMNS) for s in services._suggestions(doc, _CATEGORIES)
        )
        for term, shown in services._vocabulary(doc, seg).items():
            out.vocabulary[term] += 1
            out.display.setdefault(term, shown)
    return out


def _chunks(docs: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for doc in docs:
        chunk.append(doc)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _documents_with_brand_ids() -> Iterator[dict[str, Any]]:
    brands = dict(Brand.objects.values_list("slug", "pk"))
    for doc in search_documents():
        doc.setdefault("brand_id", brands.get(doc.get("brand_slug") or ""))
        yield doc


def _built(jobs: int) -> Iterator[_Chunk]:
    chunks = _chunks(_documents_with_brand_ids())
    if jobs <= 1:
        yield from map(_build, chunks)
        return
    # Fork: the workers share the loaded dictionary and the categories; they never touch the
    # database (only the parent reads and writes), so the parent's connection is not shared.
    # The chunks are read here, in this thread (Pool.imap would read them in its own thread,
    # on another database connection, outside this transaction); a few wait in flight.
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pending: deque[Any] = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_build, (chunk,)))
            if len(pending) > 2 * jobs:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


class _Writer:
    """COPY rows into the search tables as the chunks arrive; facet key sets get ids here."""

    def __init__(self, cursor: Any, clock: _Phases) -> None:
        self.cursor = cursor
        self.clock = clock
        self.facet_sets: dict[str, int] = {}
        self.facet_names: dict[tuple[str, str], tuple[str, str]] = {}
        self.suggestions: set[tuple[str, str, str]] = set()
        self.vocabulary: Counter[str] = Counter()
        self.display: dict[str, str] = {}
        self.count = 0

    def copy(self, table: str, columns: list[str], rows: Iterable[Iterable[Any]]) -> None:
        with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def write(self, chunk: _Chunk) -> None:
        new_sets = []
        for entry, document, keys in zip(chunk.entries, chunk.documents, chunk.facet_keys, strict=True):
            digest = services.facet_digest(keys)
            if digest not in self.facet_sets:
                self.facet_sets[digest] = len(self.facet_sets) + 1
                new_sets.append((self.facet_sets[digest], digest, json.dumps(keys)))
            entry[_ENTRY_COLUMNS.index("facet_set_id")] = self.facet_sets[digest]
            entry[_ENTRY_COLUMNS.index("facet_keys")] = json.dumps(keys)
            # The document's copy of the listing columns (see SearchDocument).
            for offset, name in enumerate(services.LISTING_COPY):
                document[5 + offset] = entry[_ENTRY_COLUMNS.index(name)]
        self.copy("search_searchfacetset", ["id", "digest", "keys"], new_sets)
        self.copy("search_searchentry", _ENTRY_COLUMNS, chunk.entries)
        self.copy("bulk_documents", _DOCUMENT_COLUMNS, chunk.documents)
        self.copy("search_searchcategorylink", ["entry_id", "category_id", "depth"], chunk.links)
        self.copy("search_searchfacetvalue", ["entry_id", "attribute", "value", "name_zh", "name_en"], chunk.facets)
        for _entry_id, attribute, value, name_zh, name_en in chunk.facets:
            self.facet_names.setdefault((attribute, value), (name_zh, name_en))
        fresh = []
        for row in chunk.suggestions:
            unique = (row[1], row[2], row[0])  # (kind, target, key), as the table's unique constraint
            if unique not in self.suggestions:
                self.suggestions.add(unique)
                fresh.append(row)
        self.copy("search_searchsuggestion", _SUGGESTION_COLUMNS, fresh)
        self.vocabulary.update(chunk.vocabulary)
        for term, shown in chunk.display.items():
            self.display.setdefault(term, shown)
        self.count += len(chunk.entries)

    def finish(self) -> None:
        # The same expressions the incremental path writes (PostgresBackend.write), in SQL.
        weights = dict(zip(FIELD_WEIGHTS, "ABCD", strict=True))
        search_vector = " || ".join(
            f"setweight(to_tsvector('simple'::regconfig, COALESCE({name}, '')), '{weight}')"
            for name, weight in weights.items()
        )
        name_vector = (
            "to_tsvector('simple'::regconfig, COALESCE(name_text, '')) || "
            "to_tsvector('simple'::regconfig, COALESCE(brand_text, ''))"
        )
        columns = ", ".join(_DOCUMENT_COLUMNS)
        self.cursor.execute(
            f"INSERT INTO search_searchdocument ({columns}, search_vector, name_vector) "
            f"SELECT {columns}, {search_vector}, {name_vector} FROM bulk_documents"
        )
        self.clock.lap("documents with their vectors")
        self.cursor.execute("DROP TABLE bulk_documents")  # ON COMMIT DROP does not fire inside an outer atomic
        self.cursor.execute(
            "SELECT setval(pg_get_serial_sequence('search_searchfacetset', 'id'), %s)", [len(self.facet_sets) + 1]
        )
        SearchFacetName.objects.bulk_create(
            [
                SearchFacetName(attribute=a, value=v, name_zh=zh, name_en=en)
                for (a, v), (zh, en) in self.facet_names.items()
            ],
            update_conflicts=True,
            unique_fields=["attribute", "value"],
            update_fields=["name_zh", "name_en"],
            batch_size=1000,
        )
        services._save_terms(self.vocabulary, self.display, replace_weights=True)
        self.clock.lap("vocabulary and facet names")


# Seconds per phase of the last rebuild in this process (printed by ``manage.py rebuild_search_index``).
last_timings: dict[str, float] = {}


class _Phases:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.monotonic()

    def lap(self, name: str) -> None:
        now = time.monotonic()
        self.laps[name] = self.laps.get(name, 0.0) + now - self._last
        self._last = now


def _learn_all_words(seg: text.Segmenter) -> None:
    """Every word of the catalogue before the first product (the incremental path learns them chunk by chunk)."""
    before = seg.size
    seg.add_words([*services.catalogue_words(), *Option.objects.values_list("name_zh", flat=True).distinct()])
    if seg.size != before:
        transaction.on_commit(lambda: services._bump(services.WORDS_KEY))


def rebuild(*, progress: Progress | None = None, jobs: int | None = None) -> int:
    """Index the whole active catalogue again in one transaction (PostgreSQL). Returns the number indexed."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the bulk rebuild needs PostgreSQL; use services.rebuild_index")
    if jobs is None:  # worker processes pay off for a large catalogue only
        large = Product.objects.filter(is_active=True).count() > 20 * CHUNK
        jobs = (os.cpu_count() or 1) if large else 1
    seg = services.ensure_dictionary()
    _CATEGORIES.clear()
    _CATEGORIES.update({c.pk: c for c in Category.objects.all()})
    clock = _Phases()
    with transaction.atomic(), connection.cursor() as cursor:
        _learn_all_words(seg)
        for table in _TABLES:
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            "CREATE TEMPORARY TABLE bulk_documents ON COMMIT DROP AS "
            f"SELECT {', '.join(_DOCUMENT_COLUMNS)} FROM search_searchdocument WITH NO DATA"
        )
        clock.lap("delete the old index")
        writer = _Writer(cursor, clock)
        for chunk in _built(jobs):
            writer.write(chunk)
            if progress:
                progress(len(chunk.entries))
        clock.lap("read, segment (workers) and copy")
        writer.finish()
        services._changed()
    clock.lap("commit")
    # The deleted rows are dead tuples (two or three times the live ones): without a VACUUM the
    # listing reads them all until autovacuum comes by (measured: 3–10× slower listings). VACUUM
    # cannot run inside a transaction (a caller's atomic block, a test): there, statistics only.
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in _TABLES:
            cursor.execute(f"{command} {table}")
    clock.lap("vacuum and analyze")
    last_timings.clear()
    last_timings.update(clock.laps)
    return writer.count


def compact() -> None:
    """Rewrite the search tables without dead rows (VACUUM FULL; takes an exclusive lock while it runs).

    A rebuild deletes the old rows and inserts new ones in one transaction, so that searches keep
    working meanwhile; the tables then hold as much free space as live rows (three times after
    repeated rebuilds), and a category page, which scans its entries, reads all of it:
    measured at 100,000 products, 185 ms before and 48 ms after (load average 9–12).
    """
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (FULL, ANALYZE) {', '.join(_TABLES)}")
