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
children take the parent's new key from the CTE), one INSERT per model elsewhere.

Only for plain models with an auto primary key and no multi-table inheritance.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from itertools import groupby
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

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


@cache
def _family_statement(
    parent_model: type[models.Model], groups: tuple[tuple[type[models.Model], int, tuple[str, ...]], ...]
) -> tuple[str, tuple[tuple[models.Field, ...], ...]]:
    quote = connection.ops.quote_name
    parent_sql, parent_fields = _statement(parent_model, connection.vendor, 1)
    ctes = [f"p AS ({parent_sql})"]
    field_lists: list[tuple[models.Field, ...]] = [parent_fields]
    for index, (model, rows, links) in enumerate(groups):
        fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
        placeholders = ["(SELECT p.id FROM p)" if f.name in links else "%s" for f in fields]
        one_row = "(" + ", ".join(placeholders) + ")"
        columns = ", ".join(quote(f.column) for f in fields)
        ctes.append(
            f"c{index} AS (INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608 (our model names)
            f"VALUES {', '.join([one_row] * rows)} RETURNING {quote(model._meta.pk.column)})"
        )
        field_lists.append(tuple(f for f in fields if f.name not in links))
    keys = ", ".join(["(SELECT p.id FROM p)"] + [f"ARRAY(SELECT id FROM c{i})" for i in range(len(groups))])  # noqa: S608
    return "WITH " + ", ".join(ctes) + f" SELECT {keys}", tuple(field_lists)


def insert_family(parent: M, rows: Sequence[models.Model]) -> M:
    """INSERT ``parent`` and ``rows`` (rows of one model next to each other; a row's foreign key to
    ``parent`` assigned as ``row.order = parent``) and set every primary key and link."""
    links = [_links_to(row, parent) for row in rows]
    db = default_connection()
    if db.vendor != "postgresql":
        insert(parent)
        for row, names in zip(rows, links, strict=True):
            for name in names:
                setattr(row, name, parent)  # now with its key
        for _model, group in groupby(rows, key=type):
            insert_many(list(group))
        return parent
    groups = []
    for (model, names), group in groupby(zip(rows, links, strict=True), key=lambda pair: (type(pair[0]), pair[1])):
        groups.append((model, names, [row for row, _names in group]))
    sql, field_lists = _family_statement(type(parent), tuple((m, len(g), n) for m, n, g in groups))
    params = _values(parent, field_lists[0], db)
    for (_model, _names, group), fields in zip(groups, field_lists[1:], strict=True):
        for row in group:
            params.extend(_values(row, fields, db))
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        parent_key, *child_keys = cursor.fetchone()
    _mark_saved(parent, parent_key, db)
    for (_model, names, group), keys in zip(groups, child_keys, strict=True):
        for row, key in zip(group, keys, strict=True):
            for name in names:
                setattr(row, name, parent)
            _mark_saved(row, key, db)
    return parent


def _mark_saved(instance: models.Model, key: Any, db: BaseDatabaseWrapper) -> None:
    instance.pk = key
    instance._state.adding = False
    instance._state.db = db.alias
