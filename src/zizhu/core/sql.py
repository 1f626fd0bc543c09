"""Fast INSERTs for hot paths (placing an order): the ORM's SQL, built once per model.

``Model.objects.create`` compiles its INSERT anew on every call; on the checkout path that
compiling cost more Python time than PostgreSQL spent running the statements (measured with
the flash-sale benchmark, see docs/ordering.md). ``insert`` writes a new instance with an
INSERT built once per (model, database vendor) and cached: the same columns, the same value
preparation (``Field.pre_save`` for ``auto_now_add``, ``get_db_prep_save`` for JSON,
encrypted and decimal fields), the primary key read back with ``RETURNING`` (PostgreSQL,
SQLite ≥ 3.35). What it skips: model signals (no business flow uses them, DESIGN.md §3)
and ``full_clean`` (``create`` does not run it either).

Only for plain models with an auto primary key and no multi-table inheritance.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connection, models

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
    sql, fields = _statement(model, connection.vendor, len(instances))
    params: list[Any] = []
    for instance in instances:
        if type(instance) is not model:
            raise TypeError("insert_many takes instances of one model")
        params.extend(f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [row[0] for row in cursor.fetchall()]
    for instance, key in zip(instances, keys, strict=True):
        instance.pk = key
        instance._state.adding = False
        instance._state.db = connection.alias
    return instances
