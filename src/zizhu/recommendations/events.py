"""The recommender learns purchases from paid orders (``order.paid``) and forgets browsing history when a
customer clears it (``catalog.history.cleared``), both from the outbox."""

from __future__ import annotations

from zizhu.core import events
from zizhu.core.models import OutboxEvent


@events.handler("order.paid", name="recommendations.learn_purchase")
def learn_purchase(event: OutboxEvent) -> None:
    from zizhu.recommendations import services

    services.record_order_purchases(order_number=str(event.payload.get("number", "")))


@events.handler("catalog.history.cleared", name="recommendations.forget_history")
def forget_history(event: OutboxEvent) -> None:
    from django.utils.dateparse import parse_datetime

    from zizhu.recommendations import services

    cleared_at = parse_datetime(str(event.payload.get("cleared_at", "")))
    customer_id = event.payload.get("user_id")
    if cleared_at is not None and isinstance(customer_id, int):
        services.forget_browsing_history(customer_id=customer_id, cleared_at=cleared_at)
