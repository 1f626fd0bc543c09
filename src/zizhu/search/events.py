"""Outbox handlers keeping the search index in step with the catalogue (idempotent: they re-read it)."""

from __future__ import annotations

from zizhu.core import events
from zizhu.core.models import OutboxEvent
from zizhu.search import services


def _product_id(event: OutboxEvent) -> int | None:
    try:
        return int(event.payload.get("product_id"))
    except (TypeError, ValueError):
        return None


@events.handler("catalog.product.changed", name="search.reindex_product")
def reindex_product(event: OutboxEvent) -> None:
    product_id = _product_id(event)
    if product_id is not None:
        services.index_products(product_ids=[product_id])


@events.handler("catalog.product.deleted", name="search.remove_product")
def remove_product(event: OutboxEvent) -> None:
    product_id = _product_id(event)
    if product_id is not None:
        services.remove_products(product_ids=[product_id])
