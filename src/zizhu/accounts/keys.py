"""Key rotation for encrypted fields: re-encrypt every value under the newest key, in batches.

Resumable by construction: each batch is its own transaction, and only rows with a value not yet
under the newest key are selected, so after an interruption the next run starts where it stopped.
Rows are locked while re-encrypted, so a concurrent change of the same row is not overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q

from zizhu.core.crypto import BlindIndexField, EncryptedTextField, encrypted_fields, keyring

BatchCallback = Callable[[type[models.Model], int], None]


@dataclass(frozen=True)
class Pending:
    model: type[models.Model]
    fields: list[EncryptedTextField]
    count: int

    @property
    def label(self) -> str:
        return f"{self.model._meta.label} ({', '.join(f.name for f in self.fields)})"


def _pending_filter(fields: list[EncryptedTextField], newest: str) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field.name}__isnull": False}) & ~Q(**{f"{field.name}__key_id": newest})
    return condition


def pending() -> list[Pending]:
    """Per model with encrypted fields: how many rows still have a value under an older key."""
    newest = keyring().newest
    plan = []
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if fields and not model._meta.proxy:
            count = model._base_manager.filter(_pending_filter(fields, newest)).count()
            plan.append(Pending(model, fields, count))
    return plan


def rotate_model(
    model: type[models.Model], fields: list[EncryptedTextField], *, batch_size: int = 500, on_batch: Any = None
) -> int:
    """Re-encrypt ``fields`` of every row of ``model`` under the newest key; returns rows done."""
    newest = keyring().newest
    condition = _pending_filter(fields, newest)
    names = [f.name for f in fields]
    done = 0
    last_pk: Any = None
    while True:
        with transaction.atomic():
            rows = model._base_manager.filter(condition)
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.select_for_update().order_by("pk").only("pk", *names)[:batch_size])
            for row in batch:
                # Reading decrypted with the old key; writing encrypts with the newest.
                model._base_manager.filter(pk=row.pk).update(**{name: getattr(row, name) for name in names})
        if not batch:
            return done
        done += len(batch)
        last_pk = batch[-1].pk
        if on_batch is not None:
            on_batch(model, len(batch))


def blind_indexed_models() -> list[tuple[type[models.Model], list[BlindIndexField]]]:
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
        if fields and not model._meta.proxy:
            found.append((model, fields))
    return found


def reindex_model(
    model: type[models.Model], fields: list[BlindIndexField], *, batch_size: int = 500, on_batch: Any = None
) -> int:
    """Recompute blind indexes (after BLIND_INDEX_KEY or the SECRET_KEY it falls back to changed)."""
    done = 0
    last_pk: Any = 0 if isinstance(model._meta.pk, models.AutoField | models.BigAutoField) else None
    sources = [f.source for f in fields]
    while True:
        with transaction.atomic():
            rows = model._base_manager.order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.select_for_update().only("pk", *sources)[:batch_size])
            for row in batch:
                values = {f.name: f.compute(getattr(row, f.source)) for f in fields}
                model._base_manager.filter(pk=row.pk).update(**values)
        if not batch:
            return done
        done += len(batch)
        last_pk = batch[-1].pk
        if on_batch is not None:
            on_batch(model, len(batch))
