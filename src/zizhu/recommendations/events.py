"""The recommender learns purchases from paid orders (``order.paid``, from the outbox)."""

from __future__ import annotations

from zizhu.core import events
from zizhu.core.models import OutboxEvent


@events.handler("order.paid", name="recommendations.learn_purchase")
def learn_purchase(event: OutboxEvent) -> None:
    from zizhu.recommendations import services

    services.record_order_purchases(order_number=str(event.payload.get("number", "")))
