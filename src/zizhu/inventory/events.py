"""Inventory reacts to the catalogue setting stock directly (import, back office)."""

from __future__ import annotations

from zizhu.core import events
from zizhu.core.models import OutboxEvent


@events.handler("catalog.product.changed", name="inventory.follow_catalogue")
def follow_catalogue(event: OutboxEvent) -> None:
    from zizhu.inventory import services

    product_id = event.payload.get("product_id")
    if isinstance(product_id, int):
        services.follow_catalogue(product_id=product_id)
