"""Celery tasks of core: outbox dispatch and the generic periodic-job runner."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from django.utils.module_loading import import_string

from zizhu.core import events
from zizhu.core.models import OutboxEvent

DISPATCHED_RETENTION = timedelta(days=7)


@shared_task(name="zizhu.core.tasks.dispatch_event_task", acks_late=True, reject_on_worker_lost=True)
def dispatch_event_task(event_id: int) -> bool:
    return events.dispatch_event(event_id)


def dispatch_pending_events() -> int:
    """Periodic sweep: anything whose enqueue was lost, or whose retry is due."""
    return events.dispatch_pending()


def purge_dispatched_events() -> int:
    """Dispatched events are kept a week for inspection, then deleted."""
    cutoff = timezone.now() - DISPATCHED_RETENTION
    deleted, _ = OutboxEvent.objects.filter(status=OutboxEvent.Status.DONE, dispatched_at__lt=cutoff).delete()
    return deleted


@shared_task(name="zizhu.core.tasks.run_periodic_job", acks_late=True, reject_on_worker_lost=True)
def run_periodic_job(dotted_path: str) -> object:
    """Beat's entry point for every job in settings.ZIZHU_PERIODIC_JOBS."""
    return import_string(dotted_path)()
