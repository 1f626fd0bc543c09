"""Fast INSERTs for hot paths (placing an order): the ORM's SQL, built once per model.

``Model.objects.create`` compiles its INSERT anew on every call; on the checkout path that
compiling cost more Python time than PostgreSQL spent running the statements (measured with
the flash-sale benchmark, see docs/ordering.md). ``insert`` writes a new instance with an
INSERT built once per (model, database vendor) and cached: the same columns, the same value
preparation (``Field.pre_save`` for ``auto_now_add``, ``get_db_prep_save`` for JSON,
encrypted and decimal fields), the primary key read back with ``RETURNING`` (PostgreSQL,
SQLite ≥ 3.35). What it skips: model signals (no business flow uses them, DESIGN.md §3)
and ``full_clean`` (``create`` does not run it either).

``insert_family`` writes a new row and rows that belong to it (an order, its lines, its first
timeline event and its outbox event) in ONE statement on PostgreSQL (data-modifying CTEs: the
children take the parent's new key from the CTE), one INSERT per model elsewhere;
``insert_families`` several such families in one statement (the checkout's order and payment).

Only for plain models with an auto primary key and no multi-table inheritance.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from functools import cache
from itertools import groupby
from typing import Any, TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorDebugWrapper

M = TypeVar("M", bound=models.Model)


@cache
def _statement(model: type[models.Model], vendor: str, rows: int) -> tuple[str, tuple[models.Field, ...]]:
    meta = model._meta
    if meta.parents:
        raise TypeError(f"{meta.label} uses multi-table inheritance: use the ORM")
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = ", ".join([one_row] * rows)
    pk = quote(meta.pk.column)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values} RETURNING {pk}"  # noqa: S608 (names from our models)
    return sql, fields


def insert(instance: M) -> M:
    """INSERT ``instance`` (new, unsaved) and set its primary key."""
    insert_many([instance])
    return instance


def insert_many(instances: Sequence[M]) -> Sequence[M]:
    """INSERT new instances of one model in one statement and set their primary keys (in order)."""
    if not instances:
        return instances
    model = type(instances[0])
    db = default_connection()
    sql, fields = _statement(model, db.vendor, len(instances))
    params: list[Any] = []
    for instance in instances:
        if type(instance) is not model:
            raise TypeError("insert_many takes instances of one model")
        params.extend(_values(instance, fields, db))
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [row[0] for row in cursor.fetchall()]
    for instance, key in zip(instances, keys, strict=True):
        _mark_saved(instance, key, db)
    return instances


def default_connection() -> BaseDatabaseWrapper:
    """The connection object itself: every attribute read through the ``connection`` proxy looks up
    the thread's connections again (asgiref raises and catches an exception each time, measured on
    the checkout path), so the hot loops below use the object once resolved."""
    return connections[DEFAULT_DB_ALIAS]


def _values(instance: models.Model, fields: Sequence[models.Field], db: BaseDatabaseWrapper) -> list[Any]:
    return [f.get_db_prep_save(f.pre_save(instance, True), db) for f in fields]


def _links_to(row: models.Model, parent: models.Model) -> tuple[str, ...]:
    """Names of ``row``'s foreign keys that hold ``parent`` (assigned before it had a key)."""
    return tuple(
        f.name
        for f in row._meta.concrete_fields
        if f.is_relation and f.is_cached(row) and f.get_cached_value(row) is parent
    )


# A family's shape: the parent's model and, per group of rows, (model, number of rows, names of the
# foreign keys that hold the parent).
Shape = tuple[type[models.Model], tuple[tuple[type[models.Model], int, tuple[str, ...]], ...]]


@cache
def _families_statement(shapes: tuple[Shape, ...]) -> tuple[str, tuple[tuple[models.Field, ...], ...]]:
    """One statement for every family: parent ``p{f}`` and its row groups ``c{f}_{g}`` as
    data-modifying CTEs; the SELECT gives each parent's key and each group's keys, in order.
    PostgreSQL's own placeholders ($1, $2 …): see ``_native_cursor``."""
    numbers = itertools.count(1)
    ctes: list[str] = []
    keys: list[str] = []
    field_lists: list[tuple[models.Field, ...]] = []
    for family, (parent_model, groups) in enumerate(shapes):
        parent_fields = tuple(f for f in parent_model._meta.concrete_fields if not f.primary_key)
        parent_key = f"(SELECT p{family}.id FROM p{family})"  # noqa: S608 (our CTE names)
        ctes.append(f"p{family} AS ({_insert_sql(parent_model, parent_fields, [], 1, numbers)})")
        keys.append(parent_key)
        field_lists.append(parent_fields)
        for index, (model, rows, links) in enumerate(groups):
            fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
            name = f"c{family}_{index}"
            linked = [parent_key if f.name in links else None for f in fields]
            ctes.append(f"{name} AS ({_insert_sql(model, fields, linked, rows, numbers)})")
            keys.append(f"ARRAY(SELECT id FROM {name})")  # noqa: S608
            field_lists.append(tuple(f for f in fields if f.name not in links))
    return "WITH " + ", ".join(ctes) + f" SELECT {', '.join(keys)}", tuple(field_lists)


def _insert_sql(
    model: type[models.Model],
    fields: Sequence[models.Field],
    fixed: Sequence[str | None],
    rows: int,
    numbers: Iterator[int],
) -> str:
    """``INSERT … VALUES ($n, …), … RETURNING pk``; a column whose ``fixed`` entry is SQL takes it."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    fixed = fixed or [None] * len(fields)
    values = ", ".join("(" + ", ".join(sql or f"${next(numbers)}" for sql in fixed) + ")" for _row in range(rows))
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values} "  # noqa: S608 (our model names)
        f"RETURNING {quote(model._meta.pk.column)}"
    )


def _native_cursor(db: BaseDatabaseWrapper) -> Any:
    """A cursor that sends the statement as written, with PostgreSQL's placeholders ($1 …): psycopg
    parses ``%s`` placeholders again on every call once a statement has more than 50 parameters
    (it caches only smaller ones): for the checkout's order and payment, ~1 million instructions per
    order, more than the round trip that one statement saves (callgrind). Wrapped as Django wraps
    its own cursors: errors become ``django.db`` errors, and tests count the query."""
    db.ensure_connection()
    db.validate_thread_sharing()
    raw = psycopg.RawCursor(db.connection)
    return _NativeDebugCursor(raw, db) if db.queries_logged else db.make_cursor(raw)


class _NativeDebugCursor(CursorDebugWrapper):
    """Logs the statement as sent ($n placeholders and their values apart): Django would compose
    it with ``%s`` placeholders, which this statement does not have."""

    def debug_sql(
        self, sql: Any = None, params: Any = None, use_last_executed_query: bool = False, many: bool = False
    ) -> Any:
        return super().debug_sql(sql, params, use_last_executed_query=False, many=many)


Family = tuple[models.Model, Sequence[models.Model]]


def insert_family(parent: M, rows: Sequence[models.Model]) -> M:
    """INSERT ``parent`` and ``rows`` (rows of one model next to each other; a row's foreign key to
    ``parent`` assigned as ``row.order = parent``) and set every primary key and link."""
    insert_families([(parent, rows)])
    return parent


def insert_families(families: Sequence[Family]) -> None:
    """``insert_family`` for several families in ONE statement on PostgreSQL (e.g. an order with its
    lines and events, and its payment with its first event: one round trip less per checkout)."""
    db = default_connection()
    linked = [(parent, rows, [_links_to(row, parent) for row in rows]) for parent, rows in families]
    if db.vendor != "postgresql":
        for parent, rows, links in linked:
            insert(parent)
            for row, names in zip(rows, links, strict=True):
                for name in names:
                    setattr(row, name, parent)  # now with its key
            for _model, group in groupby(rows, key=type):
                insert_many(list(group))
        return
    grouped = [(parent, _groups(rows, links)) for parent, rows, links in linked]
    shapes = tuple((type(parent), tuple((m, len(g), n) for m, n, g in groups)) for parent, groups in grouped)
    statement, field_lists = _families_statement(shapes)
    fields = iter(field_lists)
    params: list[Any] = []
    for parent, groups in grouped:
        params.extend(_values(parent, next(fields), db))
        for _model, _names, group in groups:
            group_fields = next(fields)
            for row in group:
                params.extend(_values(row, group_fields, db))
    with db.wrap_database_errors, _native_cursor(db) as cursor:
        cursor.execute(statement, params)
        returned = iter(cursor.fetchone())
    for parent, groups in grouped:
        _mark_saved(parent, next(returned), db)
        for (_model, names, group), keys in zip(groups, returned, strict=False):
            for row, key in zip(group, keys, strict=True):
                for name in names:
                    setattr(row, name, parent)
                _mark_saved(row, key, db)


def _groups(
    rows: Sequence[models.Model], links: Sequence[tuple[str, ...]]
) -> list[tuple[type[models.Model], tuple[str, ...], list[models.Model]]]:
    """Consecutive rows of one model with the same links to the parent: one multi-row INSERT each."""
    return [
        (model, names, [row for row, _names in group])
        for (model, names), group in groupby(zip(rows, links, strict=True), key=lambda pair: (type(pair[0]), pair[1]))
    ]


def _mark_saved(instance: models.Model, key: Any, db: BaseDatabaseWrapper) -> None:
    instance.pk = key
    instance._state.adding = False
    instance._state.db = db.alias
