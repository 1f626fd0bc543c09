"""Notification jobs (thin: they call services)."""

from __future__ import annotations

from celery import shared_task

from zizhu.notifications import services


@shared_task(
    name="zizhu.notifications.tasks.email_message_task",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def email_message_task(message_id: int) -> bool:
    """E-mail copy of an inbox message (idempotent: a message is e-mailed once)."""
    return services.email_message(message_id=message_id)
