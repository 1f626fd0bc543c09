"""Recording behaviour events without slowing the page.

During a request, ``record`` only appends to a per-thread buffer; the buffer is written
with one ``bulk_create`` when Django signals ``request_finished`` — which the WSGI
server sends after the response has gone to the client. Outside a request (commands,
Celery tasks, the shell) events are written when the current transaction commits.

The buffer never outlives its request: a buffer left over (a request that crashed
before ``request_finished``) is written at the start of the thread's next request.
Nothing here is shared between processes, so it holds with many web workers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import transaction
from django.dispatch import receiver

from zizhu.catalog.models import BehaviourEvent

logger = logging.getLogger(__name__)
MAX_BUFFER = 200  # a request recording more than this writes early (e.g. an import)

_state = threading.local()


def _buffer() -> list[BehaviourEvent] | None:
    return getattr(_state, "buffer", None)


def defer(task: Callable[[], None]) -> None:
    """Run ``task`` after the response (in a request) or after commit (elsewhere)."""
    tasks = getattr(_state, "tasks", None)
    if _buffer() is None or tasks is None:
        transaction.on_commit(task)
        return
    tasks.append(task)


def record(event: BehaviourEvent) -> None:
    buffer = _buffer()
    if buffer is None:
        transaction.on_commit(lambda: write([event]))
        return
    buffer.append(event)
    if len(buffer) >= MAX_BUFFER:
        flush()


def write(events: list[BehaviourEvent]) -> None:
    """One INSERT for all events; a failure is logged, never raised into a page."""
    if not events:
        return
    try:
        with transaction.atomic():
            BehaviourEvent.objects.bulk_create(events, batch_size=500)
    except Exception:
        logger.exception("Could not record %d behaviour events", len(events))


def flush() -> int:
    """Run the deferred tasks and write the buffered events in one transaction.

    If that fails (say a product was deleted a moment ago), the events are written on
    their own and the failure is logged; the customer never sees it.
    """
    tasks = getattr(_state, "tasks", None)
    pending_tasks = list(tasks or [])
    if tasks:
        tasks.clear()
    buffer = _buffer()
    pending = list(buffer or [])
    if buffer:
        buffer.clear()
    if not pending_tasks and not pending:
        return 0
    try:
        with transaction.atomic():
            for task in pending_tasks:
                task()
            if pending:
                BehaviourEvent.objects.bulk_create(pending, batch_size=500)
    except Exception:
        logger.exception("Deferred catalogue writes failed; writing the behaviour events alone")
        write(pending)
    return len(pending)


@receiver(request_started, dispatch_uid="zizhu.catalog.behaviour.start")
def _start(sender: Any, **kwargs: Any) -> None:
    flush()
    _state.buffer = []
    _state.tasks = []


@receiver(request_finished, dispatch_uid="zizhu.catalog.behaviour.finish")
def _finish(sender: Any, **kwargs: Any) -> None:
    flush()
    _state.buffer = None
    _state.tasks = None
