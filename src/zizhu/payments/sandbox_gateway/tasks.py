"""The gateway's Celery task: deliver one webhook (registered through ``zizhu.payments.tasks``)."""

from __future__ import annotations

from celery import shared_task

from zizhu.payments.sandbox_gateway import delivery


@shared_task(name="zizhu.payments.tasks.deliver_sandbox_webhook", acks_late=True, reject_on_worker_lost=True)
def deliver_sandbox_webhook(event_id: str) -> bool:
    return delivery.deliver(event_id)
