"""Two full-text backends behind one interface, chosen by the database vendor.

* ``Fts5Backend`` (SQLite, embedded): the FTS5 table ``search_fts`` mirrors the entries'
  token fields; ``bm25`` with column weights ranks.
* ``PostgresBackend``: ``search_vector`` = setweight(to_tsvector('simple', field), A/B/C/D)
  with a GIN index; ``ts_rank`` with the same weights ranks.

Both take a ``ParsedQuery`` (already cleaned and tokenised) and never pass customer text to
a query parser unquoted. ``relevance`` = text rank × the entry's boost (in stock, popular).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import BooleanField, F, FloatField, Func, QuerySet

from zizhu.search.models import SearchDocument, SearchEntry
from zizhu.search.text import ParsedQuery

# name > brand > category > description
FIELD_WEIGHTS = {"name_text": 10.0, "brand_text": 6.0, "category_text": 3.0, "body_text": 1.0}
PG_WEIGHTS = [0.1, 0.3, 0.6, 1.0]  # ts_rank's order is D, C, B, A


class SearchBackend(ABC):
    """One interface, two engines (SQLite FTS5, PostgreSQL full text); see Fts5Backend, PostgresBackend."""

    vendor = ""

    @abstractmethod
    def compile(self, query: ParsedQuery, *, any_term: bool = False) -> str:
        raise NotImplementedError

    @abstractmethod
    def match(self, queryset: QuerySet[SearchEntry], query: ParsedQuery, *, any_term: bool = False) -> QuerySet:
        raise NotImplementedError

    @abstractmethod
    def with_relevance(
        self, queryset: QuerySet[SearchEntry], query: ParsedQuery, *, any_term: bool = False
    ) -> QuerySet[SearchEntry]:
        raise NotImplementedError

    def write(self, product_ids: Sequence[int]) -> None:  # noqa: B027 - an optional hook
        """Bring the backend's own structures in step with the (already saved) entries."""

    def delete(self, product_ids: Sequence[int]) -> None:  # noqa: B027 - an optional hook
        """Forget the products (their entries are deleted by the caller)."""

    def clear(self) -> None:  # noqa: B027 - an optional hook
        """Forget everything (before a full rebuild)."""


def _join(parts: Iterable[str], operator: str) -> str:
    items = list(parts)
    return items[0] if len(items) == 1 else "(" + f" {operator} ".join(items) + ")"


class _WithParam(Func):
    """A function over a column with one extra bound parameter (the compiled query)."""

    param_first = False

    def __init__(self, column: Any, param: str, **extra: Any) -> None:
        super().__init__(column, **extra)
        self.param = param

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, tuple[Any, ...]]:
        sql, params = super().as_sql(compiler, connection, **extra_context)
        return sql, ((self.param, *params) if self.param_first else (*params, self.param))


class Fts5Match(_WithParam):
    template = "%(expressions)s IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %%s)"
    output_field = BooleanField()


class Fts5Rank(_WithParam):
    param_first = True
    # Constant column weights; the compiled query is a bound parameter.
    _weights = ", ".join(str(w) for w in FIELD_WEIGHTS.values())
    template = f"(SELECT -bm25(search_fts, {_weights}) FROM search_fts WHERE search_fts MATCH %%s AND search_fts.rowid = %(expressions)s)"  # noqa: S608, E501
    output_field = FloatField()


class Fts5Backend(SearchBackend):
    vendor = "sqlite"

    @staticmethod
    def quote(token: str) -> str:
        return '"' + token.replace('"', '""') + '"'

    def compile(self, query: ParsedQuery, *, any_term: bool = False) -> str:
        terms = [
            _join((_join((self.quote(t) for t in alt), "AND") for alt in term.alternatives), "OR")
            for term in query.terms
            if term.alternatives
        ]
        return " OR ".join(terms) if any_term else " AND ".join(terms)

    def match(self, queryset: QuerySet[SearchEntry], query: ParsedQuery, *, any_term: bool = False) -> QuerySet:
        return queryset.filter(Fts5Match(F("pk"), self.compile(query, any_term=any_term)))

    def with_relevance(
        self, queryset: QuerySet[SearchEntry], query: ParsedQuery, *, any_term: bool = False
    ) -> QuerySet[SearchEntry]:
        compiled = self.compile(query, any_term=any_term)
        return queryset.annotate(relevance=Fts5Rank(F("pk"), compiled) * F("boost"))

    def write(self, product_ids: Sequence[int]) -> None:
        if not product_ids:
            return
        rows = SearchDocument.objects.filter(pk__in=product_ids).values_list(
            "pk", "name_text", "brand_text", "category_text", "body_text"
        )
        with connection.cursor() as cursor:
            self._delete(cursor, product_ids)
            cursor.executemany(
                "INSERT INTO search_fts(rowid, name, brand, category, body) VALUES (%s, %s, %s, %s, %s)", list(rows)
            )

    @staticmethod
    def _delete(cursor: Any, product_ids: Sequence[int]) -> None:
        for start in range(0, len(product_ids), 500):
            chunk = list(product_ids[start : start + 500])
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({placeholders})", chunk)  # noqa: S608

    def delete(self, product_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            self._delete(cursor, product_ids)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")


class PostgresBackend(SearchBackend):
    vendor = "postgresql"
    config = "simple"  # the text is segmented already: no stemming, no stop words

    @staticmethod
    def quote(token: str) -> str:
        return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"

    def compile(self, query: ParsedQuery, *, any_term: bool = False) -> str:
        terms = [
            _join((_join((self.quote(t) for t in alt), "&") for alt in term.alternatives), "|")
            for term in query.terms
            if term.alternatives
        ]
        return " | ".join(terms) if any_term else " & ".join(terms)

    def _query(self, query: ParsedQuery, any_term: bool) -> SearchQuery:
        return SearchQuery(self.compile(query, any_term=any_term), search_type="raw", config=self.config)

    def match(self, queryset: QuerySet[SearchEntry], query: ParsedQuery, *, any_term: bool = False) -> QuerySet:
        return queryset.filter(document__search_vector=self._query(query, any_term))

    def with_relevance(
        self, queryset: QuerySet[SearchEntry], query: ParsedQuery, *, any_term: bool = False
    ) -> QuerySet[SearchEntry]:
        rank = SearchRank(F("document__search_vector"), self._query(query, any_term), weights=PG_WEIGHTS)
        return queryset.annotate(relevance=rank * F("boost"))

    @classmethod
    def vector(cls) -> SearchVector:
        letters = ["A", "B", "C", "D"]
        vectors = [
            SearchVector(name, weight=w, config=cls.config) for name, w in zip(FIELD_WEIGHTS, letters, strict=True)
        ]
        combined = vectors[0]
        for v in vectors[1:]:
            combined = combined + v
        return combined

    @classmethod
    def name_vector(cls) -> SearchVector:
        return SearchVector("name_text", config=cls.config) + SearchVector("brand_text", config=cls.config)

    def write(self, product_ids: Sequence[int]) -> None:
        for start in range(0, len(product_ids), 2000):
            chunk = list(product_ids[start : start + 2000])
            SearchDocument.objects.filter(pk__in=chunk).update(
                search_vector=self.vector(), name_vector=self.name_vector()
            )


def get_backend() -> SearchBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else Fts5Backend()
