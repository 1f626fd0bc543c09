"""Celery tasks of payments (thin): the sandbox gateway's webhook delivery.

Registered here so that a worker, which imports every app's ``tasks`` module, knows them.
"""

from __future__ import annotations

from celery import shared_task

from zizhu.payments.sandbox_gateway import delivery


@shared_task(name="zizhu.payments.tasks.deliver_sandbox_webhook", acks_late=True, reject_on_worker_lost=True)
def deliver_sandbox_webhook(event_id: str) -> bool:
    return delivery.deliver(event_id)
